// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace EmbeddingStore.Core.Collections;

// One item in memory: its payload and, per version, the row that holds its vector in that version's segment.
// Vectors themselves live in the segments' contiguous arrays, never here.
internal sealed class ItemEntry
{
    public ItemEntry(string id, JsonElement? payload)
    {
        Id = id;
        Payload = payload;
    }

    public string Id { get; }

    public JsonElement? Payload { get; set; }

    // Versions whose vector was derived through a link (version -> link id); null while every vector is native, which is
    // the common case and costs nothing.
    public Dictionary<Versioning.ModelVersionId, string>? DerivedVia { get; set; }

    public string? DerivedLinkFor(Versioning.ModelVersionId version) =>
        DerivedVia is not null && DerivedVia.TryGetValue(version, out string? link) ? link : null;

    public void SetLineage(Versioning.ModelVersionId version, string? derivedVia)
    {
        if (derivedVia is null)
        {
            DerivedVia?.Remove(version);
            return;
        }

        DerivedVia ??= [];
        DerivedVia[version] = derivedVia;
    }

    // (segment, row) pairs; an item holds one vector per version, rarely more than two or three.
    public List<(VectorSegment Segment, int Row)> Rows { get; } = new(2);

    public int RowIn(VectorSegment segment)
    {
        foreach ((VectorSegment s, int row) in Rows)
        {
            if (ReferenceEquals(s, segment))
            {
                return row;
            }
        }

        return -1;
    }

    public void SetRow(VectorSegment segment, int row)
    {
        for (int i = 0; i < Rows.Count; i++)
        {
            if (ReferenceEquals(Rows[i].Segment, segment))
            {
                Rows[i] = (segment, row);
                return;
            }
        }

        Rows.Add((segment, row));
    }

    public void RemoveRow(VectorSegment segment) => Rows.RemoveAll(r => ReferenceEquals(r.Segment, segment));
}
