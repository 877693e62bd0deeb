// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Admin.Bench;

// A problem with the bench's input files or options: printed as one line, exit code 2.
internal sealed class BenchInputException(string message) : Exception(message);
