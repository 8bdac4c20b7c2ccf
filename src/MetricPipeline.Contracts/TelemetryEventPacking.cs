using System.Runtime.InteropServices;

namespace MetricPipeline.Contracts;

/// <summary>
/// A compact binary form of many events, for the bus: each distinct string (product, name, user id, property
/// key or value) is written once per message in a table and referred to by index, ids as 16 bytes, timestamps as
/// UTC ticks. Strings are kept as UTF-16 code units, so any .NET string (even one with a lone surrogate, which the
/// rollup must still be able to park) comes back unchanged. Layout: version byte, string table, event count, events.
/// </summary>
public static class TelemetryEventPacking
{
    private const byte Version = 1;

    public static byte[] Pack(IReadOnlyList<TelemetryEvent> events)
    {
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        var strings = new List<string>();
        int Index(string s)
        {
            if (!table.TryGetValue(s, out var i))
            {
                table[s] = i = strings.Count;
                strings.Add(s);
            }

            return i;
        }

        using var body = new MemoryStream(events.Count * 48);
        using (var w = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write7BitEncodedInt(events.Count);
            Span<byte> id = stackalloc byte[16];
            foreach (var e in events)
            {
                e.Id.TryWriteBytes(id);
                w.Write(id);
                w.Write(e.Timestamp.UtcTicks);
                w.Write(e.Value);
                w.Write7BitEncodedInt(Index(e.Product));
                w.Write7BitEncodedInt(Index(e.Name));
                w.Write7BitEncodedInt(e.UserId is null ? 0 : Index(e.UserId) + 1);
                w.Write7BitEncodedInt(e.Properties is null ? 0 : e.Properties.Count + 1);
                foreach (var (key, value) in e.Properties ?? new Dictionary<string, string>())
                {
                    w.Write7BitEncodedInt(Index(key));
                    w.Write7BitEncodedInt(Index(value));
                }
            }
        }

        using var packed = new MemoryStream((int)body.Length + (strings.Count * 24) + 8);
        using (var w = new BinaryWriter(packed, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Version);
            w.Write7BitEncodedInt(strings.Count);
            foreach (var s in strings)
            {
                w.Write7BitEncodedInt(s.Length);
                w.Write(MemoryMarshal.AsBytes(s.AsSpan()));
            }

            w.Write(body.GetBuffer(), 0, (int)body.Length);
        }

        return packed.ToArray();
    }

    public static List<TelemetryEvent> Unpack(byte[] packed)
    {
        using var r = new BinaryReader(new MemoryStream(packed, writable: false));
        var version = r.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException($"packed events of version {version}; this build reads version {Version}");
        }

        var strings = new string[r.Read7BitEncodedInt()];
        for (var i = 0; i < strings.Length; i++)
        {
            var length = r.Read7BitEncodedInt();
            var bytes = r.ReadBytes(length * 2);
            strings[i] = new string(MemoryMarshal.Cast<byte, char>(bytes));
        }

        var count = r.Read7BitEncodedInt();
        var events = new List<TelemetryEvent>(count);
        Span<byte> id = stackalloc byte[16];
        for (var n = 0; n < count; n++)
        {
            r.Read(id);
            var ticks = r.ReadInt64();
            var value = r.ReadDouble();
            var product = strings[r.Read7BitEncodedInt()];
            var name = strings[r.Read7BitEncodedInt()];
            var user = r.Read7BitEncodedInt();
            var propertyCount = r.Read7BitEncodedInt();
            Dictionary<string, string>? properties = null;
            if (propertyCount > 0)
            {
                properties = new Dictionary<string, string>(propertyCount - 1, StringComparer.Ordinal);
                for (var p = 1; p < propertyCount; p++)
                {
                    var key = strings[r.Read7BitEncodedInt()];
                    properties[key] = strings[r.Read7BitEncodedInt()];
                }
            }

            events.Add(new TelemetryEvent(
                new Guid(id), product, name, new DateTimeOffset(ticks, TimeSpan.Zero), user == 0 ? null : strings[user - 1], value, properties));
        }

        return events;
    }
}
