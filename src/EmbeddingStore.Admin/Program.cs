// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Admin;
using EmbeddingStore.Admin.Cli;

var context = new AdminContext { Out = Console.Out, Error = Console.Error, In = Console.In, Terminal = !Console.IsOutputRedirected };
return await AdminCommands.RunAsync(args, context, CancellationToken.None);
