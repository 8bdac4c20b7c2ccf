using System.Text;
using MetricPipeline.Data;
using MetricPipeline.IntegrationTests.Infrastructure;
using Npgsql;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>
/// The worker hashes user ids itself and sends only the hashes; they must be exactly what the <c>hll</c> extension's
/// <c>hll_hash_text</c> gives, or sketches written before and after (and the migration's) would count a user twice.
/// </summary>
public sealed class UserHashTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    [Fact]
    public async Task The_worker_hashes_user_ids_exactly_as_hll_hash_text_does()
    {
        // Every tail length of MurmurHash3's 16-byte blocks (0–40 bytes), multi-byte UTF-8, and typical ids.
        var ids = Enumerable.Range(1, 40).Select(n => new string('u', n))
            .Concat(["user-1", "u42", "ünïcødé-ユーザー-😀", "8f14e45f-ceea-467f-a0e6-3f7c8a1d2b9e", new string('x', 1_000)])
            .ToArray();

        await using var connection = new NpgsqlConnection(environment.PostgresConnectionString);
        await connection.OpenAsync();
        await using (var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS hll", connection))
        {
            await extension.ExecuteNonQueryAsync();
        }

        await using var cmd = new NpgsqlCommand(
            "SELECT u, hll_hash_text(u) = hll_hashval(h) FROM unnest(@u, @h) AS t(u, h)", connection);
        cmd.Parameters.AddWithValue("u", ids);
        cmd.Parameters.AddWithValue("h", ids.Select(UserHash.Of).ToArray());
        var differing = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!reader.GetBoolean(1))
            {
                differing.Add(reader.GetString(0));
            }
        }

        Assert.Empty(differing);
    }

    [Fact]
    public void Text_the_database_could_not_store_is_refused_as_the_database_would()
    {
        Assert.Throws<UnstorableTextException>(() => UserHash.Of("user\u0000"));
        Assert.Throws<EncoderFallbackException>(() => UserHash.Of("user\uD800"));
    }
}
