using System.Text;

namespace MetricPipeline.Alerting.Tests;

public sealed class SlackSignatureTests
{
    // The worked example of Slack's "Verifying requests from Slack" documentation.
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");

    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(1531420618);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    [Fact]
    public void Slack_documented_example_computes_and_verifies()
    {
        Assert.Equal(Signature, SlackSignature.Compute(Secret, Timestamp, Body));
        Assert.Equal(SignatureCheck.Valid, SlackSignature.Verify(Secret, Timestamp, Signature, Body, SentAt.AddMinutes(4), Window));
    }

    [Fact]
    public void A_changed_body_a_wrong_secret_or_a_garbled_signature_is_a_mismatch()
    {
        var tampered = Body.ToArray();
        tampered[^1] ^= 1;
        Assert.Equal(SignatureCheck.Mismatch, SlackSignature.Verify(Secret, Timestamp, Signature, tampered, SentAt, Window));
        Assert.Equal(SignatureCheck.Mismatch, SlackSignature.Verify("another-secret", Timestamp, Signature, Body, SentAt, Window));
        Assert.Equal(SignatureCheck.Mismatch, SlackSignature.Verify(Secret, Timestamp, "v0=lolno", Body, SentAt, Window));
    }

    [Fact]
    public void A_timestamp_more_than_five_minutes_off_either_way_is_stale()
    {
        Assert.Equal(SignatureCheck.Stale, SlackSignature.Verify(Secret, Timestamp, Signature, Body, SentAt.AddMinutes(5).AddSeconds(1), Window));
        Assert.Equal(SignatureCheck.Stale, SlackSignature.Verify(Secret, Timestamp, Signature, Body, SentAt.AddMinutes(-6), Window));
        Assert.Equal(SignatureCheck.Stale, SlackSignature.Verify(Secret, "not-a-number", Signature, Body, SentAt, Window));
    }

    [Fact]
    public void Missing_headers_or_no_signing_secret_is_missing()
    {
        Assert.Equal(SignatureCheck.Missing, SlackSignature.Verify(Secret, null, Signature, Body, SentAt, Window));
        Assert.Equal(SignatureCheck.Missing, SlackSignature.Verify(Secret, Timestamp, "", Body, SentAt, Window));
        Assert.Equal(SignatureCheck.Missing, SlackSignature.Verify(null, Timestamp, Signature, Body, SentAt, Window));
    }
}
