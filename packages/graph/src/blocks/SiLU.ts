import { activation } from './activations.js'

/** `nn.SiLU`: `x * sigmoid(x)`, also known as swish. */
export const SiLU = activation('SiLU', 'Sigmoid linear unit (swish): x times sigmoid(x).', 'x·σ(x)')
