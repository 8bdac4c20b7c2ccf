using MetricPipeline.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricPipeline.ServiceDefaults;

/// <summary>
/// Refuses, before any endpoint runs, a URL whose decoded path or query holds text no query could use: a NUL
/// (<c>%00</c>) or an unpaired surrogate. Such text would otherwise reach PostgreSQL and come back as a 500.
/// </summary>
public static class UrlTextCheck
{
    private const int MaxQueryValueBytes = 4096;

    public static IApplicationBuilder UseUrlTextCheck(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (Problem(http.Request) is { } problem)
        {
            await Problems.BadRequest(problem).ExecuteAsync(http);
            return;
        }

        await next(http);
    });

    public static string? Problem(HttpRequest request)
    {
        if (StoredText.Problem("the URL path", request.Path.Value ?? "", MaxQueryValueBytes) is { } pathProblem)
        {
            return pathProblem;
        }

        foreach (var (name, values) in request.Query)
        {
            if (StoredText.Problem("a query parameter name", name, MaxQueryValueBytes) is { } nameProblem)
            {
                return nameProblem;
            }

            foreach (var value in values)
            {
                if (value is not null && StoredText.Problem($"query parameter '{name}'", value, MaxQueryValueBytes) is { } valueProblem)
                {
                    return valueProblem;
                }
            }
        }

        return null;
    }
}
