namespace ModelGen;

/// <summary>Options shared by the recurrent layers.</summary>
public abstract class RecurrentAttribute : Attribute
{
    protected RecurrentAttribute(int units) => Units = units;

    /// <summary>The hidden state size H (per direction).</summary>
    public int Units { get; }

    /// <summary>
    /// True: output the hidden state of every step (many-to-many, or to feed another recurrent layer).
    /// False (default): output only the last step's state (many-to-one).
    /// </summary>
    public bool ReturnSequences { get; set; }

    /// <summary>
    /// Run a second layer over the reversed sequence and concatenate both states per step (2H outputs). The
    /// last-state output is (forward state at the last step, backward state at the first step).
    /// </summary>
    public bool Bidirectional { get; set; }

    /// <summary>Input dropout rate; one mask per sequence, the same at every step (variational).</summary>
    public double Dropout { get; set; }

    /// <summary>Dropout rate on the state entering the recurrent product; one mask per sequence (variational).</summary>
    public double RecurrentDropout { get; set; }
}
