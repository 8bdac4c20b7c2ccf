namespace MetricPipeline.LoadRun;

/// <summary>One repeat's three measurements.</summary>
public sealed record RunRow(RabbitResult? Rabbit, PostgresResult? Postgres, PipelineResult Pipeline);

/// <summary>Prints the result table (medians when given several runs); CPU is in % of one core over the end-to-end run.</summary>
public static class ResultTable
{
    public static void Print(TextWriter output, string title, IReadOnlyList<RunRow> rows)
    {
        double Median(Func<RunRow, double?> pick)
        {
            var values = rows.Select(pick).OfType<double>().Order().ToArray();
            return values.Length == 0 ? double.NaN : values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
        }

        double Cpu(Func<CpuUse, double> part) => Median(r => 100 * part(r.Pipeline.Cpu) / r.Pipeline.Seconds);

        output.WriteLine();
        output.WriteLine($"== {title} ==");
        output.WriteLine($"| measurement | events/s | other |");
        output.WriteLine($"|---|---:|---|");
        output.WriteLine(
            $"| end to end (HTTP → RabbitMQ → worker → Postgres), exact: {(rows.All(r => r.Pipeline.Exact) ? "PASS" : "FAIL")} | {Median(r => r.Pipeline.EventsPerSecond):N0} " +
            $"| ingest latency p50 {Median(r => r.Pipeline.P50Ms):N0} ms, p99 {Median(r => r.Pipeline.P99Ms):N0} ms; " +
            $"ingest alone accepted {Median(r => r.Pipeline.IngestEventsPerSecond):N0} events/s while sending |");
        output.WriteLine(
            $"| RabbitMQ ceiling (raw client, quorum, confirms) | {Median(r => r.Rabbit?.EventsPerSecond):N0} " +
            $"| {Median(r => r.Rabbit?.MessagesPerSecond):N0} msg/s of {Median(r => r.Rabbit?.MessageBytes) / 1024:N0} KiB |");
        output.WriteLine(
            $"| Postgres ceiling (rollup statements) | {Median(r => r.Postgres?.EventsPerSecond):N0} " +
            $"| {Median(r => r.Postgres?.RowsPerSecond):N0} rows/s; aggregation alone {Median(r => r.Postgres?.Events / r.Postgres?.AggregateSeconds):N0} events/s |");
        output.WriteLine();
        output.WriteLine(
            $"CPU during the end-to-end run (% of one core; 100% × {Environment.ProcessorCount} = the machine): " +
            $"server {Cpu(c => c.Server):N0}%, RabbitMQ {Cpu(c => c.Broker):N0}%, Postgres {Cpu(c => c.Postgres):N0}%, " +
            $"load generator {Cpu(c => c.LoadGenerator):N0}%, whole machine {Cpu(c => c.Machine):N0}% " +
            $"(others: {Cpu(c => c.Machine - c.Server - c.Broker - c.Postgres - c.LoadGenerator):N0}%; Postgres for this run alone {Cpu(c => c.PostgresOwn):N0}%)");

        // CPU per event does not depend on how busy the shared machine was: it says what 2 idle cores could do.
        double PerMillion(Func<CpuUse, double> part) => Median(r => part(r.Pipeline.Cpu) * 1e6 / r.Pipeline.UniqueEvents);
        var total = PerMillion(c => c.Pipeline);
        output.WriteLine(
            $"CPU seconds per million events: load generator {PerMillion(c => c.LoadGenerator):N1}, server {PerMillion(c => c.Server):N1}, " +
            $"RabbitMQ {PerMillion(c => c.Broker):N1}, Postgres for this run {PerMillion(c => c.PostgresOwn):N1} (whole shared server {PerMillion(c => c.Postgres):N1}) " +
            $"(total {total:N1}: {Environment.ProcessorCount} idle cores could do ≈{Environment.ProcessorCount * 1e6 / total:N0} events/s)");
    }
}
