// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using Microsoft.Extensions.AI;

namespace VectorDataQuickstart;

// A stand-in for a real embedding model so the sample runs offline: words are hashed into buckets (a different hash and
// width per "model version"), so texts sharing words land close together. Swap in any
// IEmbeddingGenerator<string, Embedding<float>> (OpenAI, ONNX, Ollama) for real use.
public sealed class HashingEmbeddingGenerator(string version, int dimensions, uint salt) : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int OldDimensions = 64;
    public const int NewDimensions = 48;

    public string Version { get; } = version;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        foreach (string text in values)
        {
            var vector = new float[dimensions];
            foreach (string word in text.ToLowerInvariant().Split([' ', ',', '.', '!', '?'], StringSplitOptions.RemoveEmptyEntries))
            {
                uint hash = salt;
                foreach (char c in word)
                {
                    hash = (hash ^ c) * 16777619;
                }

                vector[hash % (uint)dimensions] += 1;
            }

            vector[0] += 0.01f; // never a zero vector, which cosine cannot score
            embeddings.Add(new Embedding<float>(vector) { ModelId = Version });
        }

        return Task.FromResult(embeddings);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
