// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point: pick benchmarks with --filter, e.g. <c>--filter '*RowKernel*'</c>.</summary>
public partial class Program;
