using System.Net;
using System.Net.Sockets;

namespace MetricPipeline.Registry;

/// <summary>
/// Where alert webhooks may point, bound from the <c>Slack</c> section. By default: https, the host
/// <c>hooks.slack.com</c>, and never an address inside (loopback, link-local, private, shared or unspecified), so a
/// registry write cannot turn the server into a client of its own network. Tests and self-hosted Slack-compatible
/// receivers opt in explicitly.
/// </summary>
public sealed class WebhookPolicyOptions
{
    public static readonly string[] DefaultAllowedHosts = ["hooks.slack.com"];

    /// <summary>Hosts a webhook URL may name (<c>Slack__AllowedHosts__0</c>, …); exact names, case-insensitive.</summary>
    public string[]? AllowedHosts { get; set; }

    /// <summary>Lets webhook URLs use plain http (<c>Slack__AllowHttp</c>); for a local test receiver only.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Lets webhooks reach loopback, link-local and private addresses (<c>Slack__AllowPrivateAddresses</c>); for a local test receiver only.</summary>
    public bool AllowPrivateAddresses { get; set; }
}

/// <summary>Checks a webhook URL (when stored and before each post) and each address its host resolves to (when connecting).</summary>
public sealed class WebhookPolicy(WebhookPolicyOptions options)
{
    private readonly HashSet<string> allowedHosts = new(
        options.AllowedHosts is { Length: > 0 } hosts ? hosts.Select(h => h.Trim()) : WebhookPolicyOptions.DefaultAllowedHosts,
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Why <paramref name="url"/> may not receive alerts (the message never repeats the URL: it is a secret), or null.</summary>
    public string? Problem(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "must be an absolute https URL";
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !options.AllowHttp)
        {
            return "must use https (plain http is allowed only with Slack:AllowHttp)";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry a user name or password";
        }

        if (!allowedHosts.Contains(uri.IdnHost))
        {
            return $"host '{uri.IdnHost}' is not an allowed webhook host ({string.Join(", ", allowedHosts.Order(StringComparer.Ordinal))}; see Slack:AllowedHosts)";
        }

        return IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) ? AddressProblem(literal) : null;
    }

    /// <summary>Why a connection to <paramref name="address"/> is refused, or null.</summary>
    public string? AddressProblem(IPAddress address)
    {
        if (options.AllowPrivateAddresses)
        {
            return null;
        }

        return IsInside(address) ? $"address {address} is loopback, link-local or private (allowed only with Slack:AllowPrivateAddresses)" : null;
    }

    /// <summary>Loopback, link-local, private, carrier-grade NAT, unspecified, multicast or broadcast: not a public internet address.</summary>
    public static bool IsInside(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 10 || b[0] == 0 || b[0] >= 224
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] is >= 64 and <= 127);
        }

        var v6 = address.GetAddressBytes();
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (v6[0] & 0xFE) == 0xFC;
    }
}
