namespace MetricPipeline.Server.Extensions;

/// <summary>Which parts this process runs: <c>Roles=ingest,worker</c>, or <c>all</c> (the default).</summary>
public sealed record ServerRoles(bool Ingest, bool Worker, bool Detector, bool Api)
{
    private static readonly string[] Known = ["ingest", "worker", "detector", "api", "all"];

    public static ServerRoles From(IConfiguration configuration) => Parse(configuration["Roles"]);

    public static ServerRoles Parse(string? text)
    {
        var names = (string.IsNullOrWhiteSpace(text) ? "all" : text)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant())
            .ToHashSet();
        var unknown = names.Except(Known).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"Roles: unknown role(s) {string.Join(", ", unknown)}; use a comma list of {string.Join(", ", Known)}");
        }

        var all = names.Contains("all");
        return new ServerRoles(all || names.Contains("ingest"), all || names.Contains("worker"), all || names.Contains("detector"), all || names.Contains("api"));
    }

    public override string ToString() =>
        string.Join(",", new[] { Ingest ? "ingest" : null, Worker ? "worker" : null, Detector ? "detector" : null, Api ? "api" : null }.OfType<string>());
}
