"""Float64 torch ports of the focal losses focalscope's presets reproduce, for test/core/library-presets.test.ts.

kornia, ultralytics and mmdet cannot be installed here, so each function below is a line-for-line port of the
library's own code (the file and version are named above each one), run on float64 tensors with torch (Debian's
python3-torch 1.13). Nothing here is focalscope's code.

Usage: /usr/bin/python3 test/helpers/library_ports.py < cases.json
  cases.json is a list of {"fn": NAME, ...arguments}; prints a JSON list with one number per case.
"""

import json
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


# kornia v0.8.3 kornia/losses/one_hot.py one_hot (the same doubles as v0.8.2's torch.full(eps) + scatter 1.0 in
# float64; v0.7.0 to v0.8.1 returned one_hot.scatter_(..., 1.0) + eps, i.e. 1 + eps on the target class).
def kornia_one_hot(labels, num_classes, device, dtype, eps=1e-6):
    one_hot_tensor = F.one_hot(labels, num_classes=num_classes)
    ndim = labels.ndim
    permute_dims = [0] + [ndim] + list(range(1, ndim))
    one_hot_tensor = one_hot_tensor.permute(*permute_dims)
    one_hot_tensor = one_hot_tensor.to(dtype=dtype, device=device)
    one_hot_tensor = one_hot_tensor * (1.0 - eps) + eps
    return one_hot_tensor


# kornia v0.8.3 kornia/losses/focal.py focal_loss (no label equals ignore_index, so mask_ignore_pixels is a no-op).
def kornia_focal_loss(pred, target, alpha, gamma=2.0, reduction="none", weight=None):
    target_one_hot = kornia_one_hot(target, num_classes=pred.shape[1], device=pred.device, dtype=pred.dtype)
    log_pred_soft = pred.log_softmax(1)
    loss_tmp = -torch.pow(1.0 - log_pred_soft.exp(), gamma) * log_pred_soft * target_one_hot
    num_of_classes = pred.shape[1]
    broadcast_dims = [-1] + [1] * len(pred.shape[2:])
    if alpha is not None:
        alpha_fac = torch.tensor([1 - alpha] + [alpha] * (num_of_classes - 1), dtype=loss_tmp.dtype)
        alpha_fac = alpha_fac.view(broadcast_dims)
        loss_tmp = alpha_fac * loss_tmp
    if weight is not None:
        weight = weight.view(broadcast_dims)
        loss_tmp = weight * loss_tmp
    if reduction == "none":
        loss = loss_tmp
    elif reduction == "mean":
        loss = torch.mean(loss_tmp)
    elif reduction == "sum":
        loss = torch.sum(loss_tmp)
    return loss


# kornia v0.8.3 kornia/losses/focal.py binary_focal_loss_with_logits (pos_weight, weight None: their defaults).
def kornia_binary_focal_loss_with_logits(pred, target, alpha=0.25, gamma=2.0, reduction="none"):
    log_probs_pos = F.logsigmoid(pred)
    log_probs_neg = F.logsigmoid(-pred)
    pos_term = -log_probs_neg.exp().pow(gamma) * target * log_probs_pos
    neg_term = -log_probs_pos.exp().pow(gamma) * (1.0 - target) * log_probs_neg
    if alpha is not None:
        pos_term = alpha * pos_term
        neg_term = (1.0 - alpha) * neg_term
    loss_tmp = pos_term + neg_term
    if reduction == "none":
        loss = loss_tmp
    elif reduction == "mean":
        loss = torch.mean(loss_tmp)
    elif reduction == "sum":
        loss = torch.sum(loss_tmp)
    return loss


# ultralytics 8.3 ultralytics/utils/loss.py FocalLoss.forward (gamma=1.5, alpha=0.25 by default).
def ultralytics_focal_loss(pred, label, gamma=1.5, alpha=0.25):
    alpha = torch.tensor(alpha)
    loss = F.binary_cross_entropy_with_logits(pred, label, reduction="none")
    pred_prob = pred.sigmoid()
    p_t = label * pred_prob + (1 - label) * (1 - pred_prob)
    modulating_factor = (1.0 - p_t) ** gamma
    loss *= modulating_factor
    if (alpha > 0).any():
        alpha = alpha.to(device=pred.device, dtype=pred.dtype)
        alpha_factor = label * alpha + (1 - label) * (1 - alpha)
        loss *= alpha_factor
    return loss.mean(1).sum()


# ultralytics 8.3 ultralytics/utils/loss.py VarifocalLoss.forward (gamma=2.0, alpha=0.75), label = gt_score > 0.
def ultralytics_varifocal_loss(pred_score, gt_score, label, gamma=2.0, alpha=0.75):
    weight = alpha * pred_score.sigmoid().pow(gamma) * (1 - label) + gt_score * label
    loss = (F.binary_cross_entropy_with_logits(pred_score, gt_score, reduction="none") * weight).mean(1).sum()
    return loss


# mmdet v3.3 mmdet/models/losses/utils.py weight_reduce_loss.
def mmdet_weight_reduce_loss(loss, weight=None, reduction="mean", avg_factor=None):
    if weight is not None:
        loss = loss * weight
    if avg_factor is None:
        loss = loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss
    elif reduction == "mean":
        # Avoid causing ZeroDivisionError when avg_factor is 0.0,
        # i.e., all labels of an image belong to ignore index.
        eps = torch.finfo(torch.float32).eps
        loss = loss.sum() / (avg_factor + eps)
    elif reduction != "none":
        raise ValueError('avg_factor can not be used with reduction="sum"')
    return loss


# mmdet v3.3 mmdet/models/losses/focal_loss.py py_sigmoid_focal_loss (FocalLoss.forward takes it when the target is
# already one-hot, pred.dim() == target.dim()); RetinaHead's avg_factor is the positive anchors, at least 1 per image
# (mmdet/models/task_modules/samplers/sampling_result.py: num_pos = max(pos_inds.numel(), 1)).
def mmdet_py_sigmoid_focal_loss(pred, target, weight=None, gamma=2.0, alpha=0.25, reduction="mean", avg_factor=None):
    pred_sigmoid = pred.sigmoid()
    target = target.type_as(pred)
    pt = (1 - pred_sigmoid) * target + pred_sigmoid * (1 - target)
    focal_weight = (alpha * target + (1 - alpha) * (1 - target)) * pt.pow(gamma)
    loss = F.binary_cross_entropy_with_logits(pred, target, reduction="none") * focal_weight
    return mmdet_weight_reduce_loss(loss, weight, reduction, avg_factor)


def tensor(values):
    return torch.tensor(values, dtype=torch.float64)


def run(case):
    fn = case["fn"]
    if fn == "kornia_focal_loss":
        weight = case.get("weight")
        # Probabilities are given to kornia as the logits log p (log_softmax of them is log p again).
        pred = tensor(case["logits"]) if "logits" in case else torch.log(tensor(case["probs"]))
        return kornia_focal_loss(
            pred,
            torch.tensor(case["labels"], dtype=torch.int64),
            case.get("alpha"),
            case["gamma"],
            case["reduction"],
            None if weight is None else tensor(weight),
        )
    if fn == "kornia_binary_focal_loss_with_logits":
        return kornia_binary_focal_loss_with_logits(
            tensor(case["logits"]), tensor(case["targets"]), case.get("alpha"), case["gamma"], case["reduction"]
        )
    if fn == "ultralytics_focal_loss":
        return ultralytics_focal_loss(tensor(case["logits"]), tensor(case["targets"]), case["gamma"], case["alpha"])
    if fn == "ultralytics_varifocal_loss":
        targets = tensor(case["targets"])
        return ultralytics_varifocal_loss(
            tensor(case["logits"]), targets, (targets > 0).to(torch.float64), case["gamma"], case["alpha"]
        )
    if fn == "mmdet_py_sigmoid_focal_loss":
        targets = tensor(case["targets"])
        # avg_factor: positive anchors (rows with a positive target), at least 1 — a Python number, as in mmdet.
        avg_factor = max(int((targets > 0).any(dim=1).sum().item()), 1)
        return mmdet_py_sigmoid_focal_loss(
            tensor(case["logits"]), targets, None, case["gamma"], case["alpha"], "mean", avg_factor
        )
    raise ValueError(f"unknown fn {fn}")


if __name__ == "__main__":
    cases = json.load(sys.stdin)
    print(json.dumps([float(run(case)) for case in cases]))
