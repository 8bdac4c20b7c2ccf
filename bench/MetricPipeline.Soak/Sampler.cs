using System.Globalization;
using System.Text.Json;
using MetricPipeline.LoadRun;
using Npgsql;

namespace MetricPipeline.Soak;

/// <summary>One sample of the soak: the clients' window since the last sample and the server's state now.</summary>
public sealed record Sample(
    TimeSpan At, long Events, double EventsPerSecond, double P50Ms, double P99Ms, int Retries, int Failures,
    double RssMiB, double GcHeapMiB, double GcAfterLastMiB, double Threads, double DbConnections,
    long QueueMessages, long ErrorQueueMessages, double DatabaseMiB, long SeenIds, long Parked,
    int Passes, double PassSeconds, long OpenAlerts, double ServerCpuPercent, double Load1);

/// <summary>
/// Reads the server's state: resident memory (/proc/PID/status VmRSS), the GC heap, thread and Npgsql connection counts from its own
/// <c>/metrics</c> (prometheus-net's <c>dotnet_total_memory_bytes</c>: bytes thought allocated, garbage included; and
/// the runtime meter's <c>system_runtime_dotnet_gc_last_collection_heap_size</c>: live heap after the last collection, all
/// generations), the messages in the vhost's queues (management API), and from Postgres the database's size, the
/// de-duplication ids, parked events, open alerts and the detector passes finished since the last sample.
/// </summary>
public sealed class Sampler(HttpClient server, int serverPid, HttpClient management, string vhost, NpgsqlDataSource database)
{
    private long lastRun;
    private double lastCpu = CpuMeter.TreeSeconds(serverPid);
    private DateTime lastAt = DateTime.UtcNow;

    /// <summary>Starts the windows now: passes that finished before (during the history's load) are not counted.</summary>
    public async Task StartAsync()
    {
        await using var cmd = database.CreateCommand("SELECT coalesce(max(id), 0) FROM detector_runs");
        lastRun = (long)(await cmd.ExecuteScalarAsync())!;
        (lastAt, lastCpu) = (DateTime.UtcNow, CpuMeter.TreeSeconds(serverPid));
    }

    public async Task<Sample> TakeAsync(TimeSpan at, SendWindow window)
    {
        var now = DateTime.UtcNow;
        var seconds = (now - lastAt).TotalSeconds;
        var cpu = CpuMeter.TreeSeconds(serverPid);
        var cpuPercent = 100 * (cpu - lastCpu) / seconds;
        (lastAt, lastCpu) = (now, cpu);

        var metrics = Parse(await server.GetStringAsync("metrics"));
        var (queued, errors) = await QueuesAsync();
        var (dbBytes, seen, parked, open) = await TablesAsync();
        var (passes, passSeconds) = await PassesAsync();
        return new Sample(
            at, window.Events, window.Events / seconds, window.Percentile(0.50), window.Percentile(0.99), window.Retries, window.Failures,
            Rss(serverPid) / 1048576.0,
            metrics.GetValueOrDefault("dotnet_total_memory_bytes", double.NaN) / 1048576.0,
            metrics.GetValueOrDefault("system_runtime_dotnet_gc_last_collection_heap_size", double.NaN) / 1048576.0,
            metrics.GetValueOrDefault("process_num_threads", double.NaN),
            metrics.GetValueOrDefault("npgsql_db_client_connection_count", double.NaN),
            queued, errors, dbBytes / 1048576.0, seen, parked, passes, passSeconds, open, cpuPercent, Load1());
    }

    /// <summary>Each metric's value summed over its label sets (e.g. the GC heap over its generations).</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var name = line[..(brace > 0 && brace < space ? brace : space)];
            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                values[name] = values.GetValueOrDefault(name) + value;
            }
        }

        return values;
    }

    private async Task<(long Messages, long ErrorMessages)> QueuesAsync()
    {
        using var document = JsonDocument.Parse(await management.GetStringAsync($"api/queues/{Uri.EscapeDataString(vhost)}?columns=name,messages"));
        long messages = 0, errors = 0;
        foreach (var queue in document.RootElement.EnumerateArray())
        {
            var count = queue.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
            var name = queue.GetProperty("name").GetString() ?? "";
            if (name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_skipped", StringComparison.Ordinal))
            {
                errors += count;
            }
            else
            {
                messages += count;
            }
        }

        return (messages, errors);
    }

    private async Task<(long Bytes, long SeenIds, long Parked, long OpenAlerts)> TablesAsync()
    {
        await using var cmd = database.CreateCommand("""
            SELECT pg_database_size(current_database()),
                   (SELECT coalesce(sum(n_live_tup), 0)::bigint FROM pg_stat_user_tables WHERE relname LIKE 'seen\_events%'),
                   (SELECT count(*) FROM parked_events),
                   (SELECT count(*) FROM alerts WHERE status = 'open')
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    private async Task<(int Passes, double MeanSeconds)> PassesAsync()
    {
        await using var cmd = database.CreateCommand("""
            SELECT count(*)::int, coalesce(avg(extract(epoch FROM finished_at - started_at)), 0)::float8, coalesce(max(id), @last)
            FROM detector_runs WHERE id > @last AND finished_at IS NOT NULL
            """);
        cmd.Parameters.AddWithValue("last", lastRun);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        lastRun = reader.GetInt64(2);
        return (reader.GetInt32(0), reader.GetDouble(1));
    }

    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static double Load1() =>
        double.Parse(BenchServices.Load().Split(' ')[0], CultureInfo.InvariantCulture);
}
