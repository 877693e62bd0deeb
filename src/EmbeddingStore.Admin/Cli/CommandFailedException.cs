// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Admin.Cli;

// The work could not be done though the server answered (no migration matches, a job ended failed): one line on stderr
// and exit code 1, through ServerCall.RunAsync.
internal sealed class CommandFailedException(string message) : Exception(message);
