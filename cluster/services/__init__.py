"""Operations on the directory that views and commands share."""
