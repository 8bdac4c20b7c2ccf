using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace MetricPipeline.Detection;

/// <summary>
/// Stores the detection job and its cron trigger in the clustered job store when neither is there yet, and otherwise
/// leaves the stored ones exactly as they are.
/// </summary>
/// <remarks>
/// <para>
/// Quartz's declared-job path (<c>q.ScheduleJob</c> inside <c>AddQuartz</c>) checks for the job and then stores it in a
/// second step. Two detectors starting together can both find nothing; the one that stores second gets
/// <see cref="ObjectAlreadyExistsException"/>, and Quartz 4.7's processor answers that by rescheduling — replacing —
/// the trigger the first one stored, whatever <c>IgnoreDuplicates</c>/<c>OverwriteExistingData</c> say. The replacement
/// takes its first fire time from its own start time, so a fire the other instance has already run or acquired becomes
/// due again and runs a second time, on the other instance.
/// </para>
/// <para>
/// <see cref="IScheduler.ScheduleJob(IJobDetail, ITrigger, ScheduleJobOptions, CancellationToken)"/> without
/// <c>Replace</c> checks and stores the job and the trigger in one transaction under the store's
/// <c>TRIGGER_ACCESS</c> row lock, so of two detectors exactly one stores them and the other is told they exist, and
/// nothing already stored is ever written over. Registered before Quartz's hosted service, so it runs before this
/// instance's scheduler starts firing.
/// </para>
/// </remarks>
internal sealed partial class DetectionSchedule(ISchedulerFactory schedulers, string cron, ILogger<DetectionSchedule> logger) : IHostedService
{
    public static readonly TriggerKey TriggerKey = new("detection-pass-cron", "detector");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<DetectionJob>().WithIdentity(DetectionJob.Key).Build();
        var trigger = TriggerBuilder.Create().WithIdentity(TriggerKey).ForJob(job).WithCronSchedule(cron).Build();
        try
        {
            var first = await scheduler.ScheduleJob(job, trigger, cancellationToken: cancellationToken);
            Stored(DetectionJob.Key, cron, first);
        }
        catch (ObjectAlreadyExistsException)
        {
            Kept(DetectionJob.Key);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored the detection job {Job} on cron \"{Cron}\", first fire {First:u}")]
    private partial void Stored(JobKey job, string cron, DateTimeOffset first);

    [LoggerMessage(Level = LogLevel.Information, Message = "The detection job {Job} is already in the job store: kept as it is")]
    private partial void Kept(JobKey job);
}
