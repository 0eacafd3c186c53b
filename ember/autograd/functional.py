"""``ember.autograd.functional``: jacobian, hessian, vjp, jvp, hvp, vhp."""

__all__ = []
