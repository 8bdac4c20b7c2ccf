using MetricPipeline.Alerting;
using MetricPipeline.Api;
using MetricPipeline.Dashboard;
using MetricPipeline.Detection;
using MetricPipeline.Ingest;
using MetricPipeline.Ingest.Segment;
using MetricPipeline.Rollup;
using MetricPipeline.Server.Extensions;

var builder = WebApplication.CreateBuilder(args);
var roles = ServerRoles.From(builder.Configuration);

builder.UseDefaultUrl("http://127.0.0.1:5080");
builder.AddServiceDefaults();
builder.AddOpenTelemetryExport(roles);
builder.AddApiDocument();
builder.AddDataAccess();
builder.AddMessageBus(roles);
if (roles.Ingest)
{
    builder.Services.AddIngest(builder.Configuration);
}

if (roles.Worker)
{
    builder.Services.AddRollup(builder.Configuration);
}

if (roles.Detector)
{
    builder.Services.AddAlerting(builder.Configuration);
}

if (roles.Api)
{
    builder.Services.AddApi();
}

if (roles.Detector || roles.Api)
{
    // The API role serves deployments and alerts; only the detector role runs passes (scheduled, or asked over the bus).
    builder.Services.AddDetection(builder.Configuration, schedule: roles.Detector);
    builder.Services.AddSlackInteractions(builder.Configuration);
    builder.Services.AddScoped<IAlertActions, SlackAlertActions>();
}

var app = builder.Build();
await app.MigrateDatabaseAsync();

app.UseServiceDefaults();
if (roles.Ingest)
{
    app.UseRateLimiter();
    app.MapEventsApi();
    app.MapSegmentApi();
}

if (roles.Api)
{
    app.UseDashboardAssets();
    app.MapApi();
    app.MapDashboard();
}

if (roles.Detector || roles.Api)
{
    app.MapSlackInteractions();
}

app.MapApiDocument();
app.MapDefaultEndpoints();
app.Logger.LogInformation("MetricPipeline server running roles: {Roles}", roles);
await app.RunAsync();

/// <summary>Entry point type, visible to tests that host the server in-process.</summary>
public partial class Program;
