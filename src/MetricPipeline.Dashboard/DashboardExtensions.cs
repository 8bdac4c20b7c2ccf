using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.FileProviders;

namespace MetricPipeline.Dashboard;

/// <summary>
/// The dashboard of the <c>api</c> role: four pages (the metric tree at <c>/</c>, a node at <c>/nodes/{key}</c>,
/// <c>/deployments</c>, <c>/alerts</c>) whose scripts read the same JSON API as any other client, and the static assets
/// under <c>/ui/</c> (styles, scripts, the vendored Apache ECharts), all embedded in this assembly.
/// </summary>
public static class DashboardExtensions
{
    public const string AssetPath = "/ui";

    private static readonly ManifestEmbeddedFileProvider Assets = new(Assembly.GetExecutingAssembly(), "wwwroot");

    public static IApplicationBuilder UseDashboardAssets(this IApplicationBuilder app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Assets,
            RequestPath = AssetPath,
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("").ExcludeFromDescription();
        pages.MapGet("/", () => Page("Metric tree", "tree"));
        pages.MapGet("/nodes/{key}", (string key) => Page(key, "node"));
        pages.MapGet("/deployments", () => Page("Deployments", "deployments"));
        pages.MapGet("/alerts", () => Page("Alerts", "alerts"));
        return app;
    }

    /// <summary>The shared page shell: navigation, the admin-key control, and the page's own script.</summary>
    private static IResult Page(string title, string script) => Results.Content(
        $$"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <link rel="icon" href="data:,">
          <title>{{WebUtility.HtmlEncode(title)}} · MetricPipeline</title>
          <link rel="stylesheet" href="{{AssetPath}}/dashboard.css">
          <script src="{{AssetPath}}/vendor/echarts/echarts.common.min.js"></script>
          <script type="module" src="{{AssetPath}}/{{script}}.js"></script>
        </head>
        <body data-page="{{script}}">
          <header class="top">
            <a class="brand" href="/">MetricPipeline</a>
            <nav>
              <a href="/" data-nav="tree">Metric tree</a>
              <a href="/deployments" data-nav="deployments">Deployments</a>
              <a href="/alerts" data-nav="alerts">Alerts <span id="open-alerts" class="count" hidden></span></a>
              <a href="/scalar/">API</a>
            </nav>
            <div class="admin" id="admin"></div>
          </header>
          <main id="app"><p class="muted">Loading…</p></main>
        </body>
        </html>
        """,
        "text/html; charset=utf-8");
}
