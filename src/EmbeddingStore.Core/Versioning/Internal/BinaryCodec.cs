// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace EmbeddingStore.Core.Versioning.Internal;

/// <summary>Sequential little-endian writer into a buffer whose exact size was computed up front.</summary>
internal ref struct BinaryCodecWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public BinaryCodecWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[_position..], value);
        _position += 2;
    }

    public void WriteByte(byte value) => _buffer[_position++] = value;

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer[_position..], value);
        _position += 8;
    }

    public void WriteSingles(ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(_buffer[_position..], value);
            _position += 4;
        }
    }

    /// <summary>Appends the CRC-32 of everything written so far.</summary>
    public void WriteChecksum() => WriteUInt32(Crc32.Compute(_buffer[.._position]));
}

/// <summary>
/// Sequential little-endian reader over untrusted bytes: every read is bounds-checked and every failure is an
/// <see cref="InvalidDataException"/>, so a corrupt file can never surface as an IndexOutOfRangeException.
/// </summary>
internal ref struct BinaryCodecReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public BinaryCodecReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public uint ReadUInt32()
    {
        Require(4);
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public ushort ReadUInt16()
    {
        Require(2);
        ushort value = BinaryPrimitives.ReadUInt16LittleEndian(_data[_position..]);
        _position += 2;
        return value;
    }

    public byte ReadByte()
    {
        Require(1);
        return _data[_position++];
    }

    public int ReadInt32()
    {
        Require(4);
        int value = BinaryPrimitives.ReadInt32LittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public double ReadFiniteDouble(string what)
    {
        Require(8);
        double value = BinaryPrimitives.ReadDoubleLittleEndian(_data[_position..]);
        _position += 8;
        if (!double.IsFinite(value))
        {
            Fail($"{what} is not a finite number.");
        }

        return value;
    }

    /// <summary>Reads <paramref name="count"/> finite floats; the caller has already checked the total length, so this never over-allocates.</summary>
    public float[] ReadFiniteSingles(int count, string what)
    {
        Require((long)count * 4);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            float value = BinaryPrimitives.ReadSingleLittleEndian(_data[_position..]);
            _position += 4;
            if (!float.IsFinite(value))
            {
                Fail($"{what} contains a non-finite value at index {i}.");
            }

            values[i] = value;
        }

        return values;
    }

    /// <summary>Checks that exactly the 4-byte checksum remains and that it matches everything before it.</summary>
    public void VerifyChecksumAtEnd()
    {
        if (Remaining != 4)
        {
            Fail($"Expected 4 checksum bytes after the payload but {Remaining} bytes remain.");
        }

        uint expected = Crc32.Compute(_data[.._position]);
        uint actual = ReadUInt32();
        if (expected != actual)
        {
            Fail("Checksum mismatch: the data is corrupt.");
        }
    }

    private readonly void Require(long count)
    {
        if (count < 0 || _data.Length - _position < count)
        {
            Fail($"Unexpected end of data: needed {count} bytes at offset {_position} but only {_data.Length - _position} remain.");
        }
    }

    [DoesNotReturn]
    public static void Fail(string message) => throw new InvalidDataException(message);
}
