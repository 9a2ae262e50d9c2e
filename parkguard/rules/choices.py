"""Choices of the rules app."""

from __future__ import annotations

from django.db import models


class UploadStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
