using System.Security.Cryptography;
using System.Text;

namespace MetricPipeline.ServiceDefaults;

/// <summary>What a presented key turned out to be, for one kind of endpoint.</summary>
public enum KeyVerdict
{
    /// <summary>A configured key of the kind required.</summary>
    Accepted,

    /// <summary>No key of the kind required is configured: the endpoint is closed.</summary>
    NoneConfigured,

    /// <summary>A valid key, but of the other kind.</summary>
    WrongKind,

    /// <summary>Not a configured key at all.</summary>
    Unknown,
}

/// <summary>The one place keys are compared (in constant time), for bearer keys and Segment write keys alike.</summary>
public static class KeyRing
{
    public static KeyVerdict Verify(AuthOptions options, KeyKind required, string presented)
    {
        var (wanted, other) = required == KeyKind.Ingest ? (options.IngestKeys, options.AdminKeys) : (options.AdminKeys, options.IngestKeys);
        if (wanted.Count == 0)
        {
            return KeyVerdict.NoneConfigured;
        }

        return Contains(wanted, presented) ? KeyVerdict.Accepted
            : Contains(other, presented) ? KeyVerdict.WrongKind
            : KeyVerdict.Unknown;
    }

    public static string Describe(KeyKind kind) => kind == KeyKind.Ingest ? "an ingest" : "an admin";

    private static bool Contains(List<string> keys, string presented)
    {
        var given = Encoding.UTF8.GetBytes(presented);
        var found = false;
        foreach (var key in keys)
        {
            found |= CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), given);
        }

        return found;
    }
}
