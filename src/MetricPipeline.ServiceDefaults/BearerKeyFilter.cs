using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetricPipeline.ServiceDefaults;

/// <summary>
/// Requires <c>Authorization: Bearer &lt;key&gt;</c> of one kind: no key or an unknown one is 401,
/// a valid key of the other kind is 403. Keys are compared in constant time.
/// </summary>
public sealed class BearerKeyFilter(KeyKind required) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptionsMonitor<AuthOptions>>().CurrentValue;
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Unauthorized("missing bearer key: send 'Authorization: Bearer <key>'");
        }

        var presented = header[scheme.Length..].Trim();
        var (wanted, other) = required == KeyKind.Ingest ? (options.IngestKeys, options.AdminKeys) : (options.AdminKeys, options.IngestKeys);
        if (wanted.Count == 0)
        {
            return Problems.Forbidden($"no {Describe(required)} keys are configured on this server, so this endpoint is closed");
        }

        if (Contains(wanted, presented))
        {
            return await next(context);
        }

        if (Contains(other, presented))
        {
            return Problems.Forbidden($"this endpoint needs {Describe(required)} key; the key given is {Describe(required == KeyKind.Ingest ? KeyKind.Admin : KeyKind.Ingest)} key");
        }

        http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return Problems.Unauthorized("unknown bearer key");
    }

    private static string Describe(KeyKind kind) => kind == KeyKind.Ingest ? "an ingest" : "an admin";

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

public static class BearerKeyExtensions
{
    public static TBuilder RequireKey<TBuilder>(this TBuilder builder, KeyKind kind) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new BearerKeyFilter(kind));
}
