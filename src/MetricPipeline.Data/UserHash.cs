using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace MetricPipeline.Data;

/// <summary>
/// The 64-bit hash a user id enters its sketch with, computed in the worker: the same value as the <c>hll</c>
/// extension's <c>hll_hash_text(user_id)</c> (MurmurHash3 x64 128 of the UTF-8 bytes, seed 0, first half), so
/// sketches written either way union correctly. The worker sends these hashes instead of the ids: 8 bytes per
/// user and bucket instead of a text value that PostgreSQL would hash itself.
/// </summary>
public static class UserHash
{
    private const ulong C1 = 0x87c37b91114253d5;
    private const ulong C2 = 0x4cf5ad432745937f;

    /// <summary>Refuses what a PostgreSQL text value cannot hold (an unpaired surrogate), as the database would.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The hash of a user id. Throws <see cref="EncoderFallbackException"/> for text PostgreSQL could not store
    /// (an unpaired surrogate) and <see cref="UnstorableTextException"/> for a NUL character, so such an event is
    /// parked as it was when the database hashed the id itself.
    /// </summary>
    public static long Of(string userId)
    {
        if (userId.Contains('\0', StringComparison.Ordinal))
        {
            throw new UnstorableTextException("the user id contains a NUL character, which a PostgreSQL text value cannot hold (22021)");
        }

        var length = StrictUtf8.GetByteCount(userId);
        byte[]? rented = null;
        var bytes = length <= 256 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        StrictUtf8.GetBytes(userId, bytes);
        var hash = Murmur3X64First(bytes);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return hash;
    }

    /// <summary>MurmurHash3_x64_128 with seed 0 (Austin Appleby's reference algorithm); returns the first 64 bits.</summary>
    public static long Murmur3X64First(ReadOnlySpan<byte> data)
    {
        ulong h1 = 0, h2 = 0;
        var blocks = data.Length / 16;
        for (var i = 0; i < blocks; i++)
        {
            var k1 = BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 16)..]);
            var k2 = BinaryPrimitives.ReadUInt64LittleEndian(data[((i * 16) + 8)..]);

            k1 *= C1;
            k1 = BitOperations.RotateLeft(k1, 31);
            k1 *= C2;
            h1 ^= k1;
            h1 = BitOperations.RotateLeft(h1, 27);
            h1 += h2;
            h1 = (h1 * 5) + 0x52dce729;

            k2 *= C2;
            k2 = BitOperations.RotateLeft(k2, 33);
            k2 *= C1;
            h2 ^= k2;
            h2 = BitOperations.RotateLeft(h2, 31);
            h2 += h1;
            h2 = (h2 * 5) + 0x38495ab5;
        }

        var tail = data[(blocks * 16)..];
        ulong t1 = 0, t2 = 0;
        for (var i = tail.Length - 1; i >= 8; i--)
        {
            t2 ^= (ulong)tail[i] << ((i - 8) * 8);
        }

        for (var i = Math.Min(tail.Length, 8) - 1; i >= 0; i--)
        {
            t1 ^= (ulong)tail[i] << (i * 8);
        }

        if (tail.Length > 8)
        {
            t2 *= C2;
            t2 = BitOperations.RotateLeft(t2, 33);
            t2 *= C1;
            h2 ^= t2;
        }

        if (tail.Length > 0)
        {
            t1 *= C1;
            t1 = BitOperations.RotateLeft(t1, 31);
            t1 *= C2;
            h1 ^= t1;
        }

        h1 ^= (ulong)data.Length;
        h2 ^= (ulong)data.Length;
        h1 += h2;
        h2 += h1;
        h1 = Mix(h1);
        h2 = Mix(h2);
        h1 += h2;
        return unchecked((long)h1);
    }

    private static ulong Mix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccd;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53;
        k ^= k >> 33;
        return k;
    }
}

/// <summary>Text the database could not store; the rollup parks the event that carries it.</summary>
public sealed class UnstorableTextException(string message) : Exception(message);
