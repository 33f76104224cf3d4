"""Words too common to search for: Snowball's stop lists for English and Russian.

The lists Whoosh and PostgreSQL both ship with their Snowball stemmers; both engines drop the
same words, at indexing and in queries.
"""

ENGLISH = """
a about above after again against all am an and any are as at be because been before being below
between both but by can did do does doing don down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours ourselves out over own s
same she should so some such t than that the their theirs them themselves then there these they
this those through to too under until up very was we were what when where which while who whom
why will with you your yours yourself yourselves
"""

RUSSIAN = """
а без более больше будет будто бы был была были было быть в вам вас вдруг ведь во вот впрочем
все всегда всего всех всю вы где да даже два для до другой его ее ей ему если есть еще ж же за
зачем здесь и из или им иногда их к как какая какой когда конечно кто куда ли лучше между меня
мне много может можно мой моя мы на над надо наконец нас не него нее ней нельзя нет ни нибудь
никогда ним них ничего но ну о об один он она они опять от перед по под после потом потому почти
при про раз разве с сам свою себе себя сейчас со совсем так такой там тебя тем теперь то тогда
того тоже только том тот три тут ты у уж уже хорошо хоть чего чем через что чтоб чтобы чуть эти
этого этой этом этот эту я
"""

STOP_WORDS = frozenset(ENGLISH.split()) | frozenset(RUSSIAN.split())
