from __future__ import annotations

from django.db import models
from django.utils import timezone


class Row(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
