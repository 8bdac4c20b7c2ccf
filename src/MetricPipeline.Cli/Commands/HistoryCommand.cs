using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MetricPipeline.Cli.Commands;

/// <summary><c>metricpipe history KEY</c>: a metric's series from GET /v1/metrics/{key}/series.</summary>
internal static class HistoryCommand
{
    private static readonly string[] PointColumns = ["value", "trend", "seasonal", "remainder"];

    public static Command Create()
    {
        var key = new Argument<string>("key") { Description = "Metric key" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Start (ISO 8601)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "End (ISO 8601)" };
        var grain = new Option<string?>("--grain") { Description = "hour | day | week (default: the metric's grain)" };
        grain.AcceptOnlyFromAmong("hour", "day", "week");
        var segment = new Option<string?>("--segment") { Description = "One segment as dimension:value, e.g. plan:free (default: the total)" };
        var format = new Option<string>("--format") { Description = "table | csv | json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");

        var command = new Command("history", "Show a metric's history (GET /v1/metrics/{key}/series)")
        {
            key, from, to, grain, segment, format,
        };

        command.SetAction((parse, cancellationToken) => ServerClient.RunAsync(parse, async client =>
        {
            var query = new List<string>();
            if (parse.GetValue(from) is { } f)
            {
                query.Add("from=" + Uri.EscapeDataString(Iso(f)));
            }

            if (parse.GetValue(to) is { } t)
            {
                query.Add("to=" + Uri.EscapeDataString(Iso(t)));
            }

            if (parse.GetValue(grain) is { } g)
            {
                query.Add("grain=" + g);
            }

            if (parse.GetValue(segment) is { } s)
            {
                var colon = s.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0 || colon == s.Length - 1)
                {
                    throw new CliException($"--segment '{s}' must be dimension:value, e.g. plan:free");
                }

                query.Add("segment=" + Uri.EscapeDataString(s));
            }

            var chosen = parse.GetValue(format)!;
            var path = $"v1/metrics/{Uri.EscapeDataString(parse.GetValue(key)!)}/series" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
            var body = await client.SendAsync(HttpMethod.Get, path, accept: chosen == "csv" ? "text/csv" : "application/json", cancellationToken: cancellationToken);
            Console.Write(chosen == "table" ? Table(body) : body.EndsWith('\n') ? body : body + "\n");
            return 0;
        }));
        return command;
    }

    /// <summary>The points as an aligned table (the columns the server sent), then change points and deployments if any.</summary>
    private static string Table(string body)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new CliException($"the series answer is not JSON: {e.Message}", e);
        }

        using (json)
        {
            var root = json.RootElement;
            var text = new StringBuilder();
            var segment = root.TryGetProperty("segment", out var seg) && seg.GetString() is { Length: > 0 } sv ? sv : "total";
            text.Append(CultureInfo.InvariantCulture, $"{Text(root, "metric")}  grain {Text(root, "grain")}  segment {segment}\n");

            var points = root.TryGetProperty("points", out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray().ToList() : [];
            var columns = PointColumns.Where(c => points.Any(pt => pt.TryGetProperty(c, out var v) && v.ValueKind == JsonValueKind.Number)).ToArray();
            var table = new TextTable(["t", .. columns]);
            foreach (var point in points)
            {
                table.Add([Text(point, "t"), .. columns.Select(c => Number(point, c))]);
            }

            text.Append(table);
            if (points.Count == 0)
            {
                text.Append("(no points in this range)\n");
            }

            if (root.TryGetProperty("changePoints", out var cps) && cps.ValueKind == JsonValueKind.Array && cps.GetArrayLength() > 0)
            {
                var changes = new TextTable("change point", "before", "after", "relative change");
                foreach (var cp in cps.EnumerateArray())
                {
                    changes.Add(Text(cp, "t"), Number(cp, "before"), Number(cp, "after"), Percent(cp, "relativeChange"));
                }

                text.Append('\n').Append(changes);
            }

            if (root.TryGetProperty("deployments", out var ds) && ds.ValueKind == JsonValueKind.Array && ds.GetArrayLength() > 0)
            {
                var deployments = new TextTable("deployment", "service", "version", "t");
                foreach (var d in ds.EnumerateArray())
                {
                    deployments.Add(Text(d, "id"), Text(d, "service"), Text(d, "version"), Text(d, "t"));
                }

                text.Append('\n').Append(deployments);
            }

            return text.ToString();
        }
    }

    internal static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : "";

    private static string Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble().ToString("G6", CultureInfo.InvariantCulture) : "";

    internal static string Percent(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble().ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture) : "";

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
