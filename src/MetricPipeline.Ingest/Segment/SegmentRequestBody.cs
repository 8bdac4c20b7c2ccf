using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace MetricPipeline.Ingest.Segment;

/// <summary>A request body that could not be taken as sent: too large, badly compressed, or in an unknown encoding.</summary>
public sealed class SegmentBodyException(string message) : Exception(message);

/// <summary>Reads a Segment request body, undoing <c>Content-Encoding: gzip</c> (or deflate), and never holds more than the limit.</summary>
public static class SegmentRequestBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, int limit, string what, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            throw new SegmentBodyException($"{what} is {request.ContentLength} bytes; the limit is {limit} bytes ({limit / 1024} KB)");
        }

        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        await using var source = encoding switch
        {
            "" or "identity" => request.Body,
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            _ => throw new SegmentBodyException($"Content-Encoding \"{encoding}\" is not supported: send gzip, deflate or an uncompressed body"),
        };

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new SegmentBodyException($"{what} is more than {limit} bytes{(encoding.Length > 0 ? " once decompressed" : "")}; the limit is {limit} bytes ({limit / 1024} KB)");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new SegmentBodyException($"the body is not valid {encoding} data: {ex.Message}");
        }

        return buffer.ToArray();
    }
}
