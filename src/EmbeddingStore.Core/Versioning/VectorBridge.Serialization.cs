// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Buffers.Binary;
using EmbeddingStore.Core.Versioning.Internal;

namespace EmbeddingStore.Core.Versioning;

public abstract partial class VectorBridge
{
    /// <summary>
    /// The binary format version written by <see cref="Serialize"/>. Readers reject any other value instead of guessing,
    /// because a misread parameter matrix would silently corrupt every mapped vector.
    /// </summary>
    public const ushort FormatVersion = 1;

    /// <summary>
    /// The largest source or target dimension accepted when reading, so a corrupt header cannot ask for an absurd
    /// allocation before the length check rejects it. Far above any embedding model in use (4,096 is already rare).
    /// </summary>
    public const int MaxDimension = 65_536;

    // "ESBR" as a little-endian uint32: EmbeddingStore BRidge.
    private const uint Magic = 0x52425345;

    // magic (4) + format version (2) + kind (1) + flags (1) + source dim (4) + target dim (4) + fit pairs (4).
    private const int HeaderBytes = 20;
    private const int ChecksumBytes = 4;
    private const byte FlagNormalizesOutput = 1;

    /// <summary>Writes the kind-specific parameters that follow the common header.</summary>
    private protected delegate void PayloadWriter(ref BinaryCodecWriter writer);

    /// <summary>
    /// Rebuilds a bridge from <see cref="Serialize"/> output. Untrusted input is checked before anything is allocated:
    /// magic, format version, checksum, known kind, dimension limits, exact payload length and finite parameters.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are truncated, corrupt, of an unknown format version or kind, or
    /// describe an impossible bridge.</exception>
    public static VectorBridge Deserialize(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderBytes + ChecksumBytes)
        {
            BinaryCodecReader.Fail($"A serialised bridge is at least {HeaderBytes + ChecksumBytes} bytes but {data.Length} were given.");
        }

        var reader = new BinaryCodecReader(data);
        if (reader.ReadUInt32() != Magic)
        {
            BinaryCodecReader.Fail("Not a serialised bridge (bad magic number).");
        }

        ushort version = reader.ReadUInt16();
        if (version != FormatVersion)
        {
            BinaryCodecReader.Fail($"Unsupported bridge format version {version}; this build reads version {FormatVersion}.");
        }

        // Verify the checksum before interpreting the rest, so corruption is reported as corruption.
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(data[^ChecksumBytes..]);
        if (Crc32.Compute(data[..^ChecksumBytes]) != stored)
        {
            BinaryCodecReader.Fail("Checksum mismatch: the serialised bridge is truncated or corrupt.");
        }

        byte kind = reader.ReadByte();
        byte flags = reader.ReadByte();
        if ((flags & ~FlagNormalizesOutput) != 0)
        {
            BinaryCodecReader.Fail($"Unknown flags 0x{flags:X2} in serialised bridge.");
        }

        int sourceDimension = reader.ReadInt32();
        int targetDimension = reader.ReadInt32();
        int fitPairs = reader.ReadInt32();
        CheckDimension(sourceDimension, "source");
        CheckDimension(targetDimension, "target");
        if (fitPairs < 0)
        {
            BinaryCodecReader.Fail($"Negative fit pair count {fitPairs}.");
        }

        var header = new BridgeHeader(sourceDimension, targetDimension, (flags & FlagNormalizesOutput) != 0, fitPairs);
        VectorBridge bridge = (BridgeKind)kind switch
        {
            BridgeKind.Identity => IdentityBridge.ReadPayload(ref reader, header),
            BridgeKind.Procrustes or BridgeKind.ScaledProcrustes => OrthogonalBridge.ReadPayload(ref reader, (BridgeKind)kind, header),
            BridgeKind.Ridge => AffineBridge.ReadPayload(ref reader, header),
            BridgeKind.LowRankAffine => LowRankAffineBridge.ReadPayload(ref reader, header),
            BridgeKind.RandomFourierRidge => RandomFourierBridge.ReadPayload(ref reader, header),
            _ => throw new InvalidDataException($"Unknown bridge kind {kind}."),
        };

        reader.VerifyChecksumAtEnd();
        return bridge;
    }

    /// <summary>Fails unless exactly <paramref name="payloadBytes"/> plus the checksum remain, before any array is allocated.</summary>
    private protected static void RequirePayloadLength(ref BinaryCodecReader reader, long payloadBytes)
    {
        if (reader.Remaining != payloadBytes + ChecksumBytes)
        {
            BinaryCodecReader.Fail(
                $"The payload should be {payloadBytes} bytes plus a {ChecksumBytes}-byte checksum but {reader.Remaining} bytes remain.");
        }
    }

    /// <summary>Writes header, payload and checksum into one exactly sized array.</summary>
    private protected byte[] SerializeWithPayload(long payloadBytes, PayloadWriter writePayload)
    {
        long total = HeaderBytes + payloadBytes + ChecksumBytes;
        if (total > Array.MaxLength)
        {
            throw new InvalidOperationException($"The bridge is too large to serialise ({total} bytes).");
        }

        var buffer = new byte[total];
        var writer = new BinaryCodecWriter(buffer);
        writer.WriteUInt32(Magic);
        writer.WriteUInt16(FormatVersion);
        writer.WriteByte((byte)Kind);
        writer.WriteByte(NormalizesOutput ? FlagNormalizesOutput : (byte)0);
        writer.WriteInt32(SourceDimension);
        writer.WriteInt32(TargetDimension);
        writer.WriteInt32(FitPairs);
        writePayload(ref writer);
        writer.WriteChecksum();
        if (writer.Position != buffer.Length)
        {
            throw new InvalidOperationException($"Serialised {writer.Position} bytes but sized the buffer for {buffer.Length}.");
        }

        return buffer;
    }

    private static void CheckDimension(int dimension, string which)
    {
        if (dimension <= 0 || dimension > MaxDimension)
        {
            BinaryCodecReader.Fail($"The {which} dimension {dimension} is outside 1..{MaxDimension}.");
        }
    }

    /// <summary>The common header fields handed to each kind's payload reader.</summary>
    internal readonly record struct BridgeHeader(int SourceDimension, int TargetDimension, bool NormalizesOutput, int FitPairs);
}
