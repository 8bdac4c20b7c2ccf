using MassTransit;
using MetricPipeline.Contracts;

namespace MetricPipeline.Rollup;

/// <summary>
/// Takes batches of <see cref="EventsAccepted"/> messages (each carrying many events) and rolls
/// them up in one transaction. MassTransit acknowledges the messages only after this returns,
/// i.e. after the commit; a failure leaves them to be redelivered. An event the database refuses is parked
/// (<see cref="EventParking"/>) instead of failing the batch. The batch's accept times feed the rollup's watermark
/// (<see cref="RollupProgress"/>).
/// </summary>
public sealed class EventsAcceptedConsumer(EventParking rollup, RollupProgress progress) : IConsumer<Batch<EventsAccepted>>
{
    public async Task Consume(ConsumeContext<Batch<EventsAccepted>> context)
    {
        var events = new List<TelemetryEvent>(context.Message.Length * 1_000);
        var oldest = DateTime.MaxValue;
        var newest = DateTime.MinValue;
        foreach (var message in context.Message)
        {
            events.AddRange(message.Message.Events());
            var accepted = message.Message.AcceptedAt.UtcDateTime;
            oldest = accepted < oldest ? accepted : oldest;
            newest = accepted > newest ? accepted : newest;
        }

        var ticket = progress.Begin(oldest);
        try
        {
            await rollup.ProcessAsync(events, context.CancellationToken);
        }
        catch
        {
            progress.Failed(ticket);
            throw;
        }

        progress.Committed(ticket, newest);
    }
}
