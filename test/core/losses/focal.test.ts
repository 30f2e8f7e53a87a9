import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {binaryAlphaT, binaryLogitTerms, focalLoss, softmaxLogitTerms} from '../../../src/core/losses/focal.js'
import {logSigmoid, powerKindOf, powerOf, sigmoid} from '../../../src/core/losses/numerics.js'

const logits = [0.8, -1.5, 0.1]
const targets = [1, 0, 1]

function close(actual: number, expected: number, rel = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `expected ${expected}, got ${actual}`)
}

function focalSum(gamma: number, alpha: number | null): number {
  return logits.reduce((sum, x, i) => {
    const terms = binaryLogitTerms(x, targets[i])
    return sum + focalLoss(terms, gamma, binaryAlphaT(alpha, targets[i]))
  }, 0)
}

describe('published focal-loss values', () => {
  // torchvision.ops.sigmoid_focal_loss(inputs, targets) at its defaults alpha=0.25, gamma=2
  // (torchvision/ops/focal_loss.py), computed with torch 2.x float64 on these three logits.
  it('torchvision sigmoid_focal_loss γ=2 α=0.25: sum 0.05029548103, mean 0.01676516034', () => {
    close(focalSum(2, 0.25), 0.05029548103)
    close(focalSum(2, 0.25) / 3, 0.01676516034)
  })

  // ultralytics/utils/loss.py FocalLoss(gamma=1.5, alpha=0.25): loss.mean(1).sum() on a [3, 1] input,
  // which is the plain sum; 0.2907242683 with the alpha branch skipped.
  it('ultralytics FocalLoss γ=1.5: 0.0805277572 with α=0.25, 0.2907242683 without', () => {
    close(focalSum(1.5, 0.25), 0.0805277572)
    close(focalSum(1.5, null), 0.2907242683)
  })

  // Lin et al. 2017, section 3.2: "with γ = 2, an example classified with p_t = 0.9 would have 100×
  // lower loss compared with CE and with p_t ≈ 0.968 it would have 1000× lower loss".
  it('the paper: γ=2 makes the loss 100× lower at p_t = 0.9 and 1000× lower at p_t = 0.9683772234', () => {
    for (const [pt, factor] of [
      [0.9, 100],
      [0.9683772234, 1000],
    ]) {
      const logit = Math.log(pt / (1 - pt))
      const terms = binaryLogitTerms(logit, 1)
      close(-terms.logPt / focalLoss(terms, 2), factor, 1e-8)
    }
  })
})

describe('identities and extremes', () => {
  it('γ = 0 without α equals CE exactly, including at p_t = 1', () => {
    for (const x of [-30, -1, 0, 0.3, 5, 40, 800]) {
      for (const y of [0, 1]) {
        const terms = binaryLogitTerms(x, y)
        assert.equal(focalLoss(terms, 0), -terms.logPt)
      }
    }
  })

  it('extreme logits (±1e4) give finite CE, p_t and focal values', () => {
    for (const x of [-1e4, 1e4, -1e300, 1e300]) {
      for (const y of [0, 1]) {
        const terms = binaryLogitTerms(x, y)
        for (const value of [terms.logPt, terms.pt, terms.oneMinusPt, focalLoss(terms, 2), focalLoss(terms, 0.5)]) {
          assert.ok(Number.isFinite(value), `x=${x} y=${y}: ${value}`)
        }
      }
    }
    // A confidently wrong logit of 1e4 costs exactly 1e4 nats.
    assert.equal(-binaryLogitTerms(1e4, 0).logPt, 1e4)
    const terms = softmaxLogitTerms([1e4, -1e4, 0], 1)
    assert.equal(-terms.logPt, 2e4)
    assert.equal(terms.oneMinusPt, 1)
  })

  it('log σ stays exact where log(σ(x)) underflows', () => {
    assert.equal(logSigmoid(-800), -800)
    close(logSigmoid(40), -Math.exp(-40), 1e-12)
    assert.equal(sigmoid(-800), 0)
    assert.ok(Number.isFinite(Math.log(sigmoid(-800))) === false) // the naive form fails here
  })

  it('softmax terms match a direct computation on moderate logits', () => {
    const z = [0.2, -1.3, 2.5, 0.0]
    const denom = z.reduce((s, v) => s + Math.exp(v), 0)
    for (let y = 0; y < z.length; y++) {
      const t = softmaxLogitTerms(z, y)
      close(t.pt, Math.exp(z[y]) / denom, 1e-14)
      close(t.pt + t.oneMinusPt, 1, 1e-15)
      close(-t.logPt, Math.log(denom) - z[y], 1e-14)
    }
  })

  it('the special-cased powers give the same value as Math.pow', () => {
    for (const gamma of [0, 0.5, 1, 1.5, 2, 3, 4, 5, 2.5, 0.25]) {
      for (const q of [0, 1e-300, 0.001, 0.3, 0.5, 0.999, 1]) {
        close(powerOf(q, gamma, powerKindOf(gamma)) + 1e-300, Math.pow(q, gamma) + 1e-300, 1e-14)
      }
    }
    assert.equal(powerOf(0, 0, powerKindOf(0)), 1)
  })
})
