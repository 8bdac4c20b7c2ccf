using Npgsql;

namespace MetricPipeline.IntegrationTests.Infrastructure;

/// <summary>Dropping a test's own database when its class is done.</summary>
public static class TestDatabases
{
    /// <summary>
    /// Drops <paramref name="name"/>. The forced drop can still find a session it could not end at once (55006, "being
    /// accessed by other users": a backend that was just starting), or one it may not end (42501: an autovacuum worker on
    /// the database belongs to the server's own role, which the test user may not signal); it is tried again for up to 10 s.
    /// </summary>
    public static async Task DropAsync(string adminConnectionString, string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var admin = new NpgsqlConnection(adminConnectionString);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.ObjectInUse or PostgresErrorCodes.InsufficientPrivilege && attempt < 10)
            {
                await Task.Delay(1000);
            }
        }
    }
}
