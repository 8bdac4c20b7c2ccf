using System.Security.Cryptography;
using System.Text;

namespace MetricPipeline.Ingest.Segment;

/// <summary>RFC 9562 version-5 UUIDs: SHA-1 of a namespace UUID and a name, so the same name always gives the same id.</summary>
public static class NameBasedUuid
{
    /// <summary>The namespace of ids derived from Segment <c>messageId</c>s.</summary>
    public static readonly Guid SegmentMessages = new("6f1f6a0e-3c55-4d2b-9a55-2b0c8e4d7c31");

    public static Guid Create(Guid namespaceId, string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var data = new byte[16 + nameBytes.Length];
        namespaceId.TryWriteBytes(data, bigEndian: true, out _);
        nameBytes.CopyTo(data, 16);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // RFC 9562 defines version 5 with SHA-1; it names, it does not protect.
        SHA1.HashData(data, hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>The event id for a Segment message: one per product and <c>messageId</c>, so a client's retry counts once.</summary>
    public static Guid ForSegmentMessage(string product, string messageId) => Create(SegmentMessages, product + "\n" + messageId);
}
