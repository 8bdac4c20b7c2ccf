using MetricPipeline.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;

namespace MetricPipeline.Detection;

public static class DetectionExtensions
{
    /// <summary>
    /// The detector: the pass and its parts, and — when <paramref name="schedule"/> and <c>Detector:Enabled</c> — the
    /// Quartz scheduler that runs it on <c>Detector:Cron</c>, clustered on the Postgres job store (its qrtz_* tables provisioned
    /// by Quartz at start) so several detector processes share one schedule.
    /// </summary>
    public static IServiceCollection AddDetection(this IServiceCollection services, IConfiguration configuration, bool schedule = true)
    {
        var section = configuration.GetSection("Detector");
        services.AddOptions<DetectorOptions>().Bind(section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SeriesReader>();
        services.TryAddScoped<MetricStore>();
        services.TryAddScoped<AlertLifecycle>();
        services.TryAddScoped<DetectionPass>();
        services.TryAddScoped<DeploymentImpact>();
        services.TryAddSingleton(DetectorInstance.ForThisProcess());

        var options = section.Get<DetectorOptions>() ?? new DetectorOptions();
        if (!schedule || !options.Enabled)
        {
            return services;
        }

        if (!CronExpression.TryParse(options.Cron, out _))
        {
            throw new InvalidOperationException($"Detector:Cron '{options.Cron}' is not a Quartz cron expression; use seconds first, e.g. \"0 0/5 * * * ?\" for every 5 minutes");
        }

        var connectionString = configuration.GetConnectionString("Postgres") ?? DataDefaults.ConnectionString;
        var instance = DetectorInstance.ForThisProcess();
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "metricpipeline-detector";
                s.InstanceId = instance.Id;
            });
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);

                // Quartz creates its own tables (qrtz_*) when missing, for exactly the version in use; concurrent
                // starts are safe (the loser of the race finds the winner's schema). The SQL scripts published in
                // the quartznet repository lag the 4.7 schema, so the store validates what it created itself.
                store.ProvisionSchema();
                store.UseSystemTextJsonSerializer();
                store.ConfigureStore(o => o.StoreJobDataAsStrings = true);
                store.UseClustering(c =>
                {
                    c.CheckinInterval = TimeSpan.FromSeconds(5);
                    c.CheckinMisfireThreshold = TimeSpan.FromSeconds(15);
                });
            });
        });
        // Several detectors start at once on one job store: the first stores the job and its trigger, the others keep
        // them as they are. Re-storing a trigger that already fired resets its next fire time, and that fire then runs
        // a second time on another instance. Quartz's declared-job path (q.ScheduleJob inside AddQuartz) re-stores it
        // when two instances race past its existence check, IgnoreDuplicates or not, so DetectionSchedule stores the job
        // and trigger in one locked transaction instead; registered before Quartz's hosted service, it runs before this
        // instance's scheduler starts.
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<DetectionSchedule>(sp, options.Cron));
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}
