using MetricPipeline.Data;
using MetricPipeline.Registry;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace MetricPipeline.Api;

public sealed record TreeNode(
    string Key, string Name, string Role, string Kind, string Grain, string Direction,
    DateTime? LatestAt, double? LatestValue, IReadOnlyList<TreeNode> Children);

/// <summary><c>GET /v1/metrics/{key}/tree</c>: the subtree below a node, each with its latest value.</summary>
public static class TreeApi
{
    public static IEndpointRouteBuilder MapTreeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/metrics/{key}/tree", async Task<Results<Ok<TreeNode>, ProblemHttpResult>> (string key, MetricStore store, SeriesReader series, TimeProvider clock, CancellationToken ct) =>
        {
            var all = await store.AllAsync(ct);
            var byKey = all.ToDictionary(m => m.Key, StringComparer.Ordinal);
            if (!byKey.TryGetValue(key, out var root))
            {
                return Problems.NotFound($"no metric '{key}' in the registry");
            }

            var children = all
                .SelectMany(m => m.Parents.Select(p => (Parent: p, Child: m)))
                .ToLookup(x => x.Parent, x => x.Child, StringComparer.Ordinal);
            var now = clock.GetUtcNow().UtcDateTime;
            return TypedResults.Ok(await BuildAsync(root, [], children, byKey, series, now, ct));
        }).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<TreeNode> BuildAsync(
        MetricDefinition node, HashSet<string> path, ILookup<string, MetricDefinition> children,
        Dictionary<string, MetricDefinition> byKey, SeriesReader series, DateTime now, CancellationToken ct)
    {
        path.Add(node.Key);
        var kids = new List<TreeNode>();
        foreach (var child in children[node.Key].OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!path.Contains(child.Key))
            {
                kids.Add(await BuildAsync(child, path, children, byKey, series, now, ct));
            }
        }

        path.Remove(node.Key);
        var width = BucketGrain.Width(node.Grain);
        var recent = await series.ReadAsync(node, k => byKey.GetValueOrDefault(k), node.Grain, now - (width * 2), now, "", ct);
        var latest = recent.Count > 0 ? recent[^1] : (SeriesPoint?)null;
        return new TreeNode(
            node.Key, node.Name, RegistryNames.Of(node.Role), RegistryNames.Of(node.Kind), RegistryNames.Of(node.Grain),
            RegistryNames.Of(node.Direction), latest?.T, latest?.Value, kids);
    }
}
