using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace MetricPipeline.ServiceDefaults;

/// <summary>Reading request bodies with a size bound, and telling which media type a client declared.</summary>
public static class RequestBody
{
    /// <summary>The body as UTF-8 text, or null when it is longer than <paramref name="maxBytes"/> (nothing beyond the bound is buffered).</summary>
    public static async Task<string?> ReadTextAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>True when the Content-Type's media type is one of <paramref name="accepted"/> or, for JSON, any <c>+json</c> type.</summary>
    public static bool Declares(HttpRequest request, params string[] accepted)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) || parsed.MediaType.Value is not { } mediaType)
        {
            return false;
        }

        return accepted.Contains(mediaType, StringComparer.OrdinalIgnoreCase)
            || (accepted.Contains("application/json", StringComparer.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
