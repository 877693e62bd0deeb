// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Admin.Cli;

// Bad input found while a command runs (an input file that does not parse, a name without '@'): one line on stderr and
// exit code 2, like a parse error, through ServerCall.RunAsync.
internal sealed class CommandInputException(string message) : Exception(message);
