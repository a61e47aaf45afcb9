"""Change requests (变更申请) approved by both departments."""
