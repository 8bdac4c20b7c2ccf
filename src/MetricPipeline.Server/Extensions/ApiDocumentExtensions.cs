using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace MetricPipeline.Server.Extensions;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> (generated from the endpoints' typed results and metadata) and its
/// browsable reference at <c>/scalar</c>. Keyed endpoints carry the bearer security requirement; an operation that
/// declares no client error of its own gets the problem answers every endpoint here can give: 400 for bad parameters
/// or body (and for any write), 404 for an unknown id in the path.
/// </summary>
public static class ApiDocumentExtensions
{
    private const string BearerScheme = "bearer";
    private const string ProblemJson = "application/problem+json";

    public static void AddApiDocument(this WebApplicationBuilder builder) =>
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "MetricPipeline",
                    Version = "v1",
                    Description = "Product-metrics pipeline: ingest, the metric registry and tree, history with decomposition, deployments, alerts, "
                        + "and the detector. Reads need no key; writes need `Authorization: Bearer <key>` (an ingest key for events, an admin key otherwise). "
                        + "Errors are application/problem+json with a human-readable `detail`.",
                };
                // Which server answers depends on where it runs: the document names none.
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An ingest key (POST /v1/events) or an admin key (every other write), as configured in Auth:IngestKeys / Auth:AdminKeys.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, ct) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<RequiresKeyMetadata>().FirstOrDefault() is { } key)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                    operation.Description = $"Needs an {(key.Kind == KeyKind.Ingest ? "ingest" : "admin")} key. {operation.Description}".TrimEnd();
                }

                operation.Responses ??= [];
                var declared = operation.Responses.Keys.Any(k => k is "400" or "404");
                if (declared)
                {
                    return;
                }

                var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct);
                var write = context.Description.HttpMethod is "POST" or "PUT";
                if (context.Description.ParameterDescriptions.Count > 0 || operation.RequestBody is not null || write)
                {
                    operation.Responses["400"] = Problem("the parameters or the body are not valid; `detail` says which and why", problem);
                }

                if (context.Description.RelativePath?.Contains('{', StringComparison.Ordinal) == true)
                {
                    operation.Responses["404"] = Problem("nothing has the id or key in the path", problem);
                }
            });
        });

    public static void MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options.WithTitle("MetricPipeline API"));
    }

    private static OpenApiResponse Problem(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = schema } },
    };
}
