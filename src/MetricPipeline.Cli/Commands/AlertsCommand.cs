using System.CommandLine;
using System.Text.Json;

namespace MetricPipeline.Cli.Commands;

/// <summary><c>metricpipe alerts</c>: lists alerts from GET /v1/alerts as a table.</summary>
internal static class AlertsCommand
{
    public static Command Create()
    {
        var status = new Option<string?>("--status") { Description = "open | acknowledged | resolved (default: all)" };
        status.AcceptOnlyFromAmong("open", "acknowledged", "resolved");
        var metric = new Option<string?>("--metric") { Description = "Only alerts of this metric key" };
        var command = new Command("alerts", "List alerts (GET /v1/alerts)") { status, metric };

        command.SetAction((parse, cancellationToken) => ServerClient.RunAsync(parse, async client =>
        {
            var query = new List<string>();
            if (parse.GetValue(status) is { } s)
            {
                query.Add("status=" + s);
            }

            if (parse.GetValue(metric) is { } m)
            {
                query.Add("metric=" + Uri.EscapeDataString(m));
            }

            var body = await client.SendAsync(HttpMethod.Get, "v1/alerts" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), cancellationToken: cancellationToken);
            Console.Write(Table(body));
            return 0;
        }));
        return command;
    }

    /// <summary>Accepts a JSON array of alerts or an object with an <c>alerts</c> array.</summary>
    private static string Table(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var alerts = root.ValueKind == JsonValueKind.Array ? root
                : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("alerts", out var list) && list.ValueKind == JsonValueKind.Array ? list
                : throw new CliException("GET /v1/alerts answered neither a list of alerts nor {\"alerts\": [...]}");

            var table = new TextTable("id", "metric", "segment", "kind", "change at", "change", "direction", "status", "deployments");
            foreach (var alert in alerts.EnumerateArray())
            {
                var deployments = alert.TryGetProperty("deployments", out var ds) && ds.ValueKind == JsonValueKind.Array
                    ? string.Join(", ", ds.EnumerateArray().Select(d => $"{HistoryCommand.Text(d, "service")}@{HistoryCommand.Text(d, "version")}"))
                    : "";
                var segment = HistoryCommand.Text(alert, "segment");
                table.Add(
                    HistoryCommand.Text(alert, "id"),
                    HistoryCommand.Text(alert, "metric"),
                    segment.Length > 0 ? segment : "total",
                    HistoryCommand.Text(alert, "kind"),
                    HistoryCommand.Text(alert, "changeAt"),
                    HistoryCommand.Percent(alert, "relativeChange"),
                    HistoryCommand.Text(alert, "direction"),
                    HistoryCommand.Text(alert, "status"),
                    deployments);
            }

            return table.Count == 0 ? "no alerts\n" : table.ToString();
        }
        catch (JsonException e)
        {
            throw new CliException($"GET /v1/alerts did not answer JSON: {e.Message}", e);
        }
    }
}
