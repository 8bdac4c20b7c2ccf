using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MetricPipeline.Cli.Simulation;

namespace MetricPipeline.Cli.Commands;

/// <summary><c>metricpipe simulate</c>: generates a scenario's telemetry and sends it to the server or writes NDJSON.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var scenario = new Option<FileInfo>("--scenario") { Description = "Scenario YAML (e.g. seeds/scenario.yaml)", Required = true };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Start of the simulated data (ISO 8601, truncated to the hour). Default: so that the data ends at the start of the current hour (no future timestamps)" };
        var hours = new Option<int?>("--hours") { Description = "Simulated hours to generate" };
        var days = new Option<int?>("--days") { Description = "Simulated days to generate (default: the scenario's 'days')" };
        var speed = new Option<double>("--speed")
        {
            Description = "Pace: simulated hours per real second. 0 (default) sends everything as fast as the server accepts (backfill). "
                + "With X > 0, simulated hour h is sent once (h + 1) / X seconds have passed, e.g. 1 = an hour of data every second, "
                + "0.000278 (1/3600) ≈ real time: each hour is sent just after it ends",
            DefaultValueFactory = _ => 0,
        };
        var output = new Option<FileInfo?>("--out") { Description = "Write NDJSON to this file instead of sending (no server needed)" };
        var seed = new Option<int?>("--seed") { Description = "Override the scenario's seed" };

        var command = new Command(
            "simulate",
            "Generate the scenario's events (deterministic for a seed and start) and send them to POST /v1/events in chunks, or write them with --out. "
            + "Prints the wall-clock time of each scheduled effect to stderr.")
        {
            scenario, from, hours, days, speed, output, seed,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            SimulationPlan plan;
            try
            {
                plan = Plan(parse.GetValue(scenario)!, parse.GetValue(from), parse.GetValue(hours), parse.GetValue(days), parse.GetValue(speed), parse.GetValue(seed));
                foreach (var (effect, at) in plan.Generator.EffectTimes())
                {
                    await Console.Error.WriteLineAsync($"effect '{effect.Name}' at {Iso(at)} (hour {effect.AtHour.ToString(CultureInfo.InvariantCulture)})");
                }

                if (parse.GetValue(output) is { } file)
                {
                    var written = WriteFile(plan, file);
                    Console.WriteLine($"wrote {written} events ({Range(plan)}) to {file.FullName}");
                    return 0;
                }
            }
            catch (CliException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message);
                return 1;
            }

            return await ServerClient.RunAsync(parse, async client =>
            {
                var (accepted, rejected) = await SendAsync(plan, client, cancellationToken);
                Console.WriteLine($"accepted {accepted}, rejected {rejected} ({Range(plan)})");
                return rejected > 0 ? throw new CliException($"{rejected} simulated events were rejected") : 0;
            });
        });
        return command;
    }

    private sealed record SimulationPlan(TelemetryGenerator Generator, int Hours, double Speed);

    private static SimulationPlan Plan(FileInfo file, DateTimeOffset? from, int? hours, int? days, double speed, int? seed)
    {
        if (!file.Exists)
        {
            throw new CliException($"scenario '{file.FullName}' does not exist");
        }

        if (hours is not null && days is not null)
        {
            throw new CliException("give --hours or --days, not both");
        }

        if (!(speed >= 0) || double.IsInfinity(speed))
        {
            throw new CliException("--speed must be 0 (as fast as possible) or a positive number of simulated hours per second");
        }

        Scenario model;
        try
        {
            model = ScenarioReader.Read(File.ReadAllText(file.FullName));
        }
        catch (ScenarioException e)
        {
            throw new CliException($"{file.Name}: {e.Message}", e);
        }

        if (seed is { } s)
        {
            model.Seed = s;
        }

        var length = hours ?? (days ?? model.Days) * 24;
        if (length < 1)
        {
            throw new CliException("the simulation needs at least one hour (--hours/--days)");
        }

        var now = DateTimeOffset.UtcNow;
        var currentHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var start = from ?? currentHour.AddHours(-length);
        return new SimulationPlan(new TelemetryGenerator(model, start), length, speed);
    }

    private static long WriteFile(SimulationPlan plan, FileInfo file)
    {
        long count = 0;
        using var stream = new BufferedStream(file.Create(), 1 << 16);
        using var writer = new EventNdjson(stream);
        foreach (var e in plan.Generator.Generate(plan.Hours))
        {
            writer.Write(e);
            count++;
        }

        return count;
    }

    /// <summary>
    /// Sends hour by hour in chunks; with a speed, waits so that hour h is sent no earlier than
    /// (h + 1) / speed seconds after the start — at real time that is just after the hour has
    /// ended, so no event is sent before its timestamp — and flushes at the end of each hour.
    /// </summary>
    private static async Task<(long Accepted, long Rejected)> SendAsync(SimulationPlan plan, ServerClient client, CancellationToken cancellationToken)
    {
        long accepted = 0, rejected = 0;
        var chunk = new MemoryStream();
        var writer = new EventNdjson(chunk);
        var inChunk = 0;
        var clock = Stopwatch.StartNew();

        async Task Flush()
        {
            if (inChunk == 0)
            {
                return;
            }

            var result = await EventUpload.PostAsync(client, chunk.GetBuffer().AsMemory(0, (int)chunk.Length), cancellationToken);
            accepted += result.Accepted;
            rejected += result.Rejected.Count;
            foreach (var r in result.Rejected.Take(10))
            {
                await Console.Error.WriteLineAsync($"rejected: {r.Error}");
            }

            chunk.SetLength(0);
            inChunk = 0;
        }

        using (writer)
        {
            for (var h = 0; h < plan.Hours; h++)
            {
                if (plan.Speed > 0)
                {
                    var due = TimeSpan.FromSeconds((h + 1) / plan.Speed) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken);
                    }
                }

                foreach (var e in plan.Generator.GenerateHour(h))
                {
                    writer.Write(e);
                    if (++inChunk == EventUpload.DefaultChunkSize)
                    {
                        await Flush();
                    }
                }

                if (plan.Speed > 0)
                {
                    await Flush();
                }
            }

            await Flush();
        }

        return (accepted, rejected);
    }

    private static string Range(SimulationPlan plan) => $"{Iso(plan.Generator.Start)} to {Iso(plan.Generator.Start.AddHours(plan.Hours))}";

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
