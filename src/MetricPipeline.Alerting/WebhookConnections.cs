using System.Net;
using System.Net.Sockets;
using MetricPipeline.Registry;

namespace MetricPipeline.Alerting;

/// <summary>A connection refused because the webhook's host resolved only to addresses the policy forbids.</summary>
public sealed class WebhookAddressRefusedException(string message) : Exception(message);

/// <summary>
/// The webhook client's connections: the host is resolved here and each address is checked against the
/// <see cref="WebhookPolicy"/> before connecting to it, so a public name that resolves (or is re-pointed) to an
/// address inside the network is never reached.
/// </summary>
public static class WebhookConnections
{
    public static SocketsHttpHandler Handler(WebhookPolicy policy) => new()
    {
        AllowAutoRedirect = false,
        ConnectCallback = (context, ct) => ConnectAsync(policy, context.DnsEndPoint, ct),
    };

    private static async ValueTask<Stream> ConnectAsync(WebhookPolicy policy, DnsEndPoint endpoint, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (policy.AddressProblem(address) is { } problem)
            {
                refusal ??= $"the webhook host resolves to a forbidden address: {problem}";
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException) when (address != addresses[^1])
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new WebhookAddressRefusedException(refusal ?? "the webhook host resolves to no address");
    }
}
