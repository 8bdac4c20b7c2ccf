using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
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
        var other = required == KeyKind.Ingest ? KeyKind.Admin : KeyKind.Ingest;
        switch (KeyRing.Verify(options, required, presented))
        {
            case KeyVerdict.Accepted:
                return await next(context);
            case KeyVerdict.NoneConfigured:
                return Problems.Forbidden($"no {(required == KeyKind.Ingest ? "ingest" : "admin")} keys are configured on this server, so this endpoint is closed");
            case KeyVerdict.WrongKind:
                return Problems.Forbidden($"this endpoint needs {KeyRing.Describe(required)} key; the key given is {KeyRing.Describe(other)} key");
            default:
                http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return Problems.Unauthorized("unknown bearer key");
        }
    }
}

public static class BearerKeyExtensions
{
    /// <summary>The key check, and its 401 and 403 problem answers declared for the OpenAPI document.</summary>
    public static TBuilder RequireKey<TBuilder>(this TBuilder builder, KeyKind kind) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new BearerKeyFilter(kind)).WithMetadata(
            new RequiresKeyMetadata(kind),
            new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), [ProblemContentType]),
            new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ProblemDetails), [ProblemContentType]));

    private const string ProblemContentType = "application/problem+json";
}

/// <summary>Marks an endpoint that needs a bearer key of <see cref="Kind"/> (read by the OpenAPI document's security).</summary>
public sealed record RequiresKeyMetadata(KeyKind Kind);
