using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace MetricPipeline.Cli;

/// <summary>A failure to show the user as one line on stderr (the command then exits with 1).</summary>
public sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The CLI's HTTP client for a MetricPipeline server: base URL and bearer key from the global
/// options; a non-success response becomes a <see cref="CliException"/> carrying the
/// problem+json <c>detail</c>; 429/503 are retried a few times, honouring Retry-After.
/// </summary>
internal sealed class ServerClient : IDisposable
{
    private const int MaxAttempts = 5;
    private readonly HttpClient _http;

    public ServerClient(string server, string? key)
    {
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var baseUri)
            || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException($"--server '{server}' is not an absolute http(s) URL, e.g. http://127.0.0.1:5080");
        }

        _http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
        if (!string.IsNullOrEmpty(key))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Runs a server command: builds the client from the global options and turns failures into one stderr line and exit code 1.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<ServerClient, Task<int>> action)
    {
        try
        {
            using var client = new ServerClient(parse.GetValue(GlobalOptions.Server)!, parse.GetValue(GlobalOptions.Key));
            return await action(client);
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            return 1;
        }
    }

    /// <summary>Sends a request and returns the response body; <paramref name="content"/> is called again on retries.</summary>
    public async Task<string> SendAsync(HttpMethod method, string relativePath, Func<HttpContent>? content = null, string accept = "application/json", CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, relativePath.TrimStart('/'));
            request.Headers.Accept.ParseAdd(accept);
            request.Content = content?.Invoke();
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new CliException($"cannot reach the server at {BaseAddress}: {e.Message} (is it running? set --server)", e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CliException($"the server at {BaseAddress} did not answer {method} /{relativePath.TrimStart('/')} within {_http.Timeout.TotalSeconds:0} s", e);
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return body;
                }

                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && attempt < MaxAttempts)
                {
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(Math.Pow(2, attempt - 1));
                    await Task.Delay(wait, cancellationToken);
                    continue;
                }

                throw new CliException($"{method} /{relativePath.TrimStart('/')} failed with {(int)response.StatusCode} {response.ReasonPhrase}: {Describe(body)}");
            }
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The problem+json <c>detail</c> (or <c>title</c>), else the body itself, on one line.</summary>
    private static string Describe(string body)
    {
        var text = body;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (json.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                {
                    text = detail.GetString()!;
                }
                else if (json.RootElement.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String)
                {
                    text = title.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
        }

        text = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.Length == 0 ? "(no details)" : text.Length > 500 ? text[..500] + "…" : text;
    }
}
