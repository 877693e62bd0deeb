// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Admin.Bench;

/// <summary>
/// Decides when esadmin bench's warm-up has reached steady state. Kept apart from the loop that sends the requests so
/// the rule is a pure function of what the loop observed (round durations, elapsed time, requests sent) and can be
/// checked without a clock.
/// </summary>
/// <remarks>
/// Steady means: at least <see cref="SteadyRounds"/> rounds in a row no more than 3 % faster than the best before them,
/// at least <see cref="MinimumSeconds"/> since warm-up began, and at least the requested floor of requests sent. Rounds
/// alone can call a fresh server steady too early: its request path keeps tiering up for ~20,000 requests
/// (docs/bench/issue-13.md), each round only a few percent faster than the last.
/// </remarks>
internal sealed class WarmupGate(long requestFloor)
{
    /// <summary>A round at least this fraction of the best round's time counts as calm (no longer speeding up).</summary>
    public const double Tolerance = 0.97;

    /// <summary>Calm rounds in a row needed before warm-up may end.</summary>
    public const int SteadyRounds = 3;

    /// <summary>Warm-up never ends sooner: tiered compilation promotes hot loops only after a background delay.</summary>
    public const double MinimumSeconds = 1;

    private double _best = double.MaxValue;
    private int _calm;

    /// <summary>Rounds observed so far.</summary>
    public int Rounds { get; private set; }

    /// <summary>Requests observed so far.</summary>
    public long Requests { get; private set; }

    /// <summary>
    /// Records one finished round and answers whether steady state has been reached with it.
    /// </summary>
    /// <param name="roundSeconds">How long the round took.</param>
    /// <param name="roundRequests">Requests the round sent (one per query, or one per batch).</param>
    /// <param name="elapsedSeconds">Time since warm-up began, after this round.</param>
    public bool Observe(double roundSeconds, int roundRequests, double elapsedSeconds)
    {
        Rounds++;
        Requests += roundRequests;
        _calm = roundSeconds >= _best * Tolerance ? _calm + 1 : 0;
        _best = Math.Min(_best, roundSeconds);
        return _calm >= SteadyRounds && elapsedSeconds >= MinimumSeconds && Requests >= requestFloor;
    }
}
