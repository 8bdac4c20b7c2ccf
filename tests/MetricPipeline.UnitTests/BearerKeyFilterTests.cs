using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetricPipeline.UnitTests;

/// <summary>BearerKeyFilter: no or an unknown key is 401, a key of the other kind or none configured is 403, the right key passes.</summary>
public sealed class BearerKeyFilterTests
{
    private static readonly AuthOptions Keys = new() { IngestKeys = ["ingest-1", "ingest-2"], AdminKeys = ["admin-1"] };

    [Theory]
    [InlineData(KeyKind.Ingest, "Bearer ingest-1")]
    [InlineData(KeyKind.Ingest, "bearer ingest-2")]
    [InlineData(KeyKind.Admin, "Bearer admin-1 ")]
    public async Task The_right_key_reaches_the_endpoint(KeyKind kind, string header)
    {
        var (result, _) = await InvokeAsync(kind, header, Keys);
        Assert.Equal("reached", result);
    }

    [Theory]
    [InlineData(null, "missing bearer key")]
    [InlineData("", "missing bearer key")]
    [InlineData("Bearer ", "missing bearer key")]
    [InlineData("Basic aW5nZXN0LTE6", "missing bearer key")]
    [InlineData("Bearer nope", "unknown bearer key")]
    [InlineData("Bearer ingest-1x", "unknown bearer key")]
    public async Task No_key_or_an_unknown_key_is_401_with_a_challenge(string? header, string detail)
    {
        var (result, http) = await InvokeAsync(KeyKind.Ingest, header, Keys);
        var (status, text) = await StatusAndDetailAsync(result, http);
        Assert.Equal(401, status);
        Assert.StartsWith(detail, text, StringComparison.Ordinal);
        Assert.StartsWith("Bearer", http.Response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_of_the_other_kind_is_403_naming_the_kind_needed()
    {
        var (result, http) = await InvokeAsync(KeyKind.Admin, "Bearer ingest-1", Keys);
        var (status, detail) = await StatusAndDetailAsync(result, http);
        Assert.Equal(403, status);
        Assert.Contains("admin key", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_keys_configured_the_endpoint_is_closed()
    {
        var (result, http) = await InvokeAsync(KeyKind.Admin, "Bearer anything", new AuthOptions());
        var (status, detail) = await StatusAndDetailAsync(result, http);
        Assert.Equal(403, status);
        Assert.Contains("no admin keys are configured", detail, StringComparison.Ordinal);
    }

    private static async Task<(object? Result, HttpContext Http)> InvokeAsync(KeyKind kind, string? header, AuthOptions options)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails();
        services.AddSingleton<IOptionsMonitor<AuthOptions>>(new FixedOptions(options));
        var http = new DefaultHttpContext { RequestServices = services.BuildServiceProvider() };
        http.Response.Body = new MemoryStream();
        if (header is not null)
        {
            http.Request.Headers.Authorization = header;
        }

        var result = await new BearerKeyFilter(kind).InvokeAsync(
            new DefaultEndpointFilterInvocationContext(http), _ => ValueTask.FromResult<object?>("reached"));
        return (result, http);
    }

    private static async Task<(int Status, string Detail)> StatusAndDetailAsync(object? result, HttpContext http)
    {
        await Assert.IsAssignableFrom<IResult>(result).ExecuteAsync(http);
        http.Response.Body.Position = 0;
        using var doc = await System.Text.Json.JsonDocument.ParseAsync(http.Response.Body);
        return (http.Response.StatusCode, doc.RootElement.GetProperty("detail").GetString()!);
    }

    private sealed class FixedOptions(AuthOptions value) : IOptionsMonitor<AuthOptions>
    {
        public AuthOptions CurrentValue => value;

        public AuthOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AuthOptions, string?> listener) => null;
    }
}
