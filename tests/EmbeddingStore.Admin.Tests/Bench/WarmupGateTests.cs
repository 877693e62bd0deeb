// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

extern alias admin;

using admin::EmbeddingStore.Admin.Bench;

namespace EmbeddingStore.Admin.Tests.Bench;

// The warm-up's steady-state rule, fed observations directly: no clock, no server, so each condition is checked alone.
public sealed class WarmupGateTests
{
    [Fact]
    public void Observe_CalmRoundsAfterMinimumTime_SteadyAtThirdCalmRound()
    {
        var gate = new WarmupGate(requestFloor: 0);

        // Round 1 sets the best; rounds 2-4 are calm (equal to it); elapsed is past the minimum throughout.
        Assert.False(gate.Observe(0.010, 100, 2.0));
        Assert.False(gate.Observe(0.010, 100, 2.1));
        Assert.False(gate.Observe(0.010, 100, 2.2));
        Assert.True(gate.Observe(0.010, 100, 2.3));
        Assert.Equal(4, gate.Rounds);
        Assert.Equal(400, gate.Requests);
    }

    [Fact]
    public void Observe_CalmRoundsBelowRequestFloor_NotSteadyUntilFloorReached()
    {
        var gate = new WarmupGate(requestFloor: 1_000);

        // Every round is calm and time is past the minimum: only the floor holds warm-up back, until round 10 brings
        // the count to exactly 1,000.
        for (int round = 1; round < 10; round++)
        {
            Assert.False(gate.Observe(0.010, 100, 5.0 + round), $"round {round}");
        }

        Assert.True(gate.Observe(0.010, 100, 15.0));
        Assert.Equal(1_000, gate.Requests);
    }

    [Fact]
    public void Observe_RoundsStillSpeedingUp_NeverSteady()
    {
        var gate = new WarmupGate(requestFloor: 0);

        // Each round 5 % faster than the last: never within the 3 % tolerance of the best, so never calm.
        double seconds = 0.010;
        for (int round = 0; round < 50; round++)
        {
            Assert.False(gate.Observe(seconds, 100, 10.0 + round), $"round {round}");
            seconds *= 0.95;
        }
    }

    [Fact]
    public void Observe_CalmRoundsBeforeMinimumTime_NotSteady()
    {
        var gate = new WarmupGate(requestFloor: 0);

        for (int round = 0; round < 20; round++)
        {
            Assert.False(gate.Observe(0.010, 100, 0.04 * round), $"round {round}");
        }

        Assert.True(gate.Observe(0.010, 100, WarmupGate.MinimumSeconds));
    }

    [Fact]
    public void Observe_FasterRoundAfterCalmOnes_StartsCountingAgain()
    {
        var gate = new WarmupGate(requestFloor: 0);

        Assert.False(gate.Observe(0.010, 1, 2.0));
        Assert.False(gate.Observe(0.010, 1, 2.0));
        Assert.False(gate.Observe(0.010, 1, 2.0));

        // 10 % faster than the best: calm count resets, three more calm rounds are needed.
        Assert.False(gate.Observe(0.009, 1, 2.0));
        Assert.False(gate.Observe(0.009, 1, 2.0));
        Assert.False(gate.Observe(0.009, 1, 2.0));
        Assert.True(gate.Observe(0.009, 1, 2.0));
    }
}
