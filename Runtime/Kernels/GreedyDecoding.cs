using System.Numerics.Tensors;

namespace ModelGen.Kernels;

/// <summary>
/// The bookkeeping of greedy decoding for generated encoder–decoder models: feeding tokens back as the next decoder
/// input (one-hot, or as a token id for an embedding), picking the most likely token per example, and tracking which
/// examples have emitted the end token. Allocation-free; the generated <c>Decode</c> runs the loop.
/// </summary>
public static class GreedyDecoding
{
    /// <summary>Checks the output spans and tokens of a <c>Decode</c> call before anything runs; returns the maximum length.</summary>
    /// <exception cref="ArgumentException">A span's length or a token is out of range.</exception>
    public static int Validate(int tokensLength, int lengthsLength, int batch, int startToken, int endToken, int vocabulary, int outputSize)
    {
        if (tokensLength <= 0 || tokensLength % batch != 0)
        {
            throw new ArgumentException($"Expected 'tokens' to hold batch × maximum length token ids, a positive multiple of the batch size {batch}, but it holds {tokensLength}.", "tokens");
        }

        if (lengthsLength != batch)
        {
            throw new ArgumentException($"Expected 'lengths' to hold one length per example ({batch}), but it holds {lengthsLength}.", "lengths");
        }

        if ((uint)startToken >= (uint)vocabulary)
        {
            throw new ArgumentOutOfRangeException(nameof(startToken), startToken, $"The start token must be a decoder input token in [0, {vocabulary}).");
        }

        if ((uint)endToken >= (uint)outputSize)
        {
            throw new ArgumentOutOfRangeException(nameof(endToken), endToken, $"The end token must be an output token in [0, {outputSize}).");
        }

        return tokensLength / batch;
    }

    /// <summary>Marks every example as still running (length −1).</summary>
    public static void Start(Span<int> lengths) => lengths.Fill(-1);

    /// <summary>
    /// Writes the decoder input of the next step: every example's token, one-hot over <paramref name="inputSize"/>
    /// features, or as a float token id when <paramref name="oneHot"/> is false (an embedding reads it). The token is the
    /// one at <paramref name="step"/> of the example's row of <paramref name="tokens"/>, or <paramref name="startToken"/> when step is −1.
    /// </summary>
    public static void Feed(ReadOnlySpan<int> tokens, int step, int maxLength, int startToken, Span<float> inputs, int batch, int inputSize, bool oneHot)
    {
        if (oneHot)
        {
            inputs.Slice(0, batch * inputSize).Clear();
        }

        for (var b = 0; b < batch; b++)
        {
            var token = step < 0 ? startToken : tokens[(b * maxLength) + step];
            if (oneHot)
            {
                inputs[(b * inputSize) + token] = 1f;
            }
            else
            {
                inputs[b] = token;
            }
        }
    }

    /// <summary>
    /// Picks each example's most likely token at <paramref name="step"/> (the end token for examples that have
    /// finished) and records the length of those that emit the end token now. Returns how many are still running.
    /// </summary>
    public static int Pick(ReadOnlySpan<float> outputs, Span<int> tokens, Span<int> lengths, int step, int maxLength, int batch, int outputSize, int endToken)
    {
        var running = 0;
        for (var b = 0; b < batch; b++)
        {
            var token = endToken;
            if (lengths[b] < 0)
            {
                token = TensorPrimitives.IndexOfMax(outputs.Slice(b * outputSize, outputSize));
                if (token == endToken)
                {
                    lengths[b] = step;
                }
                else
                {
                    running++;
                }
            }

            tokens[(b * maxLength) + step] = token;
        }

        return running;
    }

    /// <summary>Ends the loop after <paramref name="steps"/> steps: pads the rest with the end token; examples still running get the full length.</summary>
    public static void Finish(Span<int> tokens, Span<int> lengths, int steps, int maxLength, int batch, int endToken)
    {
        for (var b = 0; b < batch; b++)
        {
            tokens.Slice((b * maxLength) + steps, maxLength - steps).Fill(endToken);
            if (lengths[b] < 0)
            {
                lengths[b] = maxLength;
            }
        }
    }
}
