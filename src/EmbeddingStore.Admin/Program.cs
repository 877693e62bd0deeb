// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Admin;
using EmbeddingStore.Admin.Cli;

return await AdminCommands.RunAsync(args, new AdminContext { Out = Console.Out, Error = Console.Error, In = Console.In }, CancellationToken.None);
