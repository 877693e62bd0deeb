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

    // (segment, row) pairs; an item holds one vector per version, rarely more than two or three. The first pair lives
    // in the entry itself and only further ones in a list: a list and its array for every item were two of the eight
    // objects each loaded item left on the heap, copied by every collection that promoted it (docs/memory.md).
    private VectorSegment? _firstSegment;
    private int _firstRow;
    private List<(VectorSegment Segment, int Row)>? _moreRows;

    // How many versions hold a vector of this item.
    public int RowCount => _firstSegment is null ? 0 : 1 + (_moreRows?.Count ?? 0);

    // The pairs as a new array: for callers that change rows while they walk them, or keep them.
    public (VectorSegment Segment, int Row)[] Rows
    {
        get
        {
            var rows = new (VectorSegment Segment, int Row)[RowCount];
            if (_firstSegment is not null)
            {
                rows[0] = (_firstSegment, _firstRow);
                _moreRows?.CopyTo(rows, 1);
            }

            return rows;
        }
    }

    public int RowIn(VectorSegment segment)
    {
        if (ReferenceEquals(_firstSegment, segment))
        {
            return _firstRow;
        }

        if (_moreRows is not null)
        {
            foreach ((VectorSegment s, int row) in _moreRows)
            {
                if (ReferenceEquals(s, segment))
                {
                    return row;
                }
            }
        }

        return -1;
    }

    public void SetRow(VectorSegment segment, int row)
    {
        if (_firstSegment is null || ReferenceEquals(_firstSegment, segment))
        {
            _firstSegment = segment;
            _firstRow = row;
            return;
        }

        _moreRows ??= new(1);
        for (int i = 0; i < _moreRows.Count; i++)
        {
            if (ReferenceEquals(_moreRows[i].Segment, segment))
            {
                _moreRows[i] = (segment, row);
                return;
            }
        }

        _moreRows.Add((segment, row));
    }

    public void RemoveRow(VectorSegment segment)
    {
        if (ReferenceEquals(_firstSegment, segment))
        {
            // The next pair, if any, moves into the entry, so an item with rows always has a first one.
            if (_moreRows is { Count: > 0 })
            {
                (_firstSegment, _firstRow) = _moreRows[0];
                _moreRows.RemoveAt(0);
            }
            else
            {
                _firstSegment = null;
                _firstRow = 0;
            }

            return;
        }

        _moreRows?.RemoveAll(r => ReferenceEquals(r.Segment, segment));
    }
}
