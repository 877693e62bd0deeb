// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using EmbeddingStore.Admin;

return await AdminCommands.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
