using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace MetricPipeline.Soak;

/// <summary>What the clients did since the last <see cref="PacedSender.Drain"/>: requests, events and ingest latencies (ms, sorted).</summary>
public sealed record SendWindow(int Requests, long Events, int Retries, int Failures, double[] LatenciesMs)
{
    public double Percentile(double p) =>
        LatenciesMs.Length == 0 ? double.NaN : LatenciesMs[Math.Clamp((int)Math.Ceiling(p * LatenciesMs.Length) - 1, 0, LatenciesMs.Length - 1)];
}

/// <summary>
/// K clients posting bodies to <c>POST /v1/events</c> at a steady rate: body n is due at start + n·B/rate, so the
/// rate holds whatever the answers' latency (a client late for its slot sends at once). A 429, a 503 or a timeout is
/// retried with the same body after a second, as a client does (the ids make it idempotent); any other answer, or a
/// 202 that accepted fewer events than were sent, is a failure, counted and reported.
/// </summary>
public sealed class PacedSender(HttpClient http, string ingestKey, int clients, TextWriter log)
{
    private readonly ConcurrentQueue<double> latencies = new();
    private int requests;
    private long events;
    private int retries;
    private int failures;
    private int failuresReported;

    public int TotalFailures { get; private set; }

    /// <summary>Sends bodies from <paramref name="source"/> at <paramref name="rate"/> events per second until it is exhausted or <paramref name="stop"/> fires.</summary>
    public async Task RunAsync(EventSource source, int rate, int batch, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var next = -1L;
        var exhausted = false;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (!stop.IsCancellationRequested && !Volatile.Read(ref exhausted))
            {
                var due = TimeSpan.FromSeconds(Interlocked.Increment(ref next) * (double)batch / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                Body? body;
                lock (source)
                {
                    body = source.Next();
                }

                if (body is null)
                {
                    Volatile.Write(ref exhausted, true);
                    return;
                }

                if (await SendAsync(body))
                {
                    source.Accepted(body);
                }
            }
        }));
    }

    public SendWindow Drain()
    {
        var window = new List<double>();
        while (latencies.TryDequeue(out var ms))
        {
            window.Add(ms);
        }

        window.Sort();
        var result = new SendWindow(
            Interlocked.Exchange(ref requests, 0), Interlocked.Exchange(ref events, 0), Interlocked.Exchange(ref retries, 0),
            Interlocked.Exchange(ref failures, 0), [.. window]);
        TotalFailures += result.Failures;
        return result;
    }

    private async Task<bool> SendAsync(Body body)
    {
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var content = new ByteArrayContent(body.Json);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, "v1/events") { Content = content };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ingestKey);
                using var response = await http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    latencies.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Interlocked.Increment(ref requests);
                    var accepted = JsonDocument.Parse(text).RootElement.GetProperty("accepted").GetInt32();
                    Interlocked.Add(ref events, accepted);
                    if (accepted == body.Events)
                    {
                        return true;
                    }

                    Fail($"202 accepted {accepted} of {body.Events} events: {text}");
                    return false;
                }

                if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
                {
                    Fail($"ingest answered {(int)response.StatusCode}: {text}");
                    return false;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // A timeout or a dropped connection: the client cannot know whether it was accepted, so it re-sends.
            }

            Interlocked.Increment(ref retries);
            await Task.Delay(1000);
        }
    }

    private void Fail(string message)
    {
        Interlocked.Increment(ref failures);
        if (Interlocked.Increment(ref failuresReported) <= 5)
        {
            lock (log)
            {
                log.WriteLine($"  failure: {(message.Length > 400 ? message[..400] + "…" : message)}");
            }
        }
    }
}
